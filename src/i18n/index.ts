export { negotiateLanguage } from './negotiate.js';
export { escapeHtml, type Translator, translatorFor } from './translator.js';
export { type Catalogue, CATALOGUES, type ClientMessageKey, DEFAULT_LANGUAGE, isLanguage, type Language, LANGUAGE_NAMES, LANGUAGES, type MessageKeyOf } from './locales/index.js';
export { lookup, type MessageTree, type Params, placeholdersOf, translate } from './format.js';
