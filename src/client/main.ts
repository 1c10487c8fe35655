import { enableCopyButtons } from './copy.js';

// Loaded as a module script, so it runs after the document is parsed.
enableCopyButtons();
