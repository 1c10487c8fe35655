// Per-user settings: their shape, defaults and validation. Pure; the stores keep them as JSON documents.
import { BadRequestError, said } from '../errors/index.js';
import { LANGUAGES } from '../i18n/index.js';

export const VIEWS = ['list', 'grid'] as const;
export const SORTS = ['name', 'size', 'modified', 'type'] as const;
export const ORDERS = ['asc', 'desc'] as const;
export const FILE_CLICKS = ['preview', 'download', 'page'] as const;
export const UPLOAD_CONFLICTS = ['ask', 'replace', 'keep-both'] as const;
export const COLOUR_MODES = ['light', 'dark', 'auto'] as const;
/** 'auto' follows the browser's Accept-Language; the others are src/i18n's LANGUAGES. */
export const LANGUAGE_CHOICES = ['auto', ...LANGUAGES] as const;

export interface UserSettings {
  view: (typeof VIEWS)[number];
  sort: (typeof SORTS)[number];
  order: (typeof ORDERS)[number];
  showHidden: boolean;
  /** What a click on a file in a folder does: the preview dialog, a download, or the file's own page. */
  fileClick: (typeof FILE_CLICKS)[number];
  /** What the uploader does when a file of that name exists: ask, replace it, or keep both (a new name). */
  uploadConflict: (typeof UPLOAD_CONFLICTS)[number];
  /** A name from themes/themes.json, or '' for the site's default (THEME). */
  theme: string;
  colourMode: (typeof COLOUR_MODES)[number];
  language: (typeof LANGUAGE_CHOICES)[number];
}

export const DEFAULT_SETTINGS: Readonly<UserSettings> = Object.freeze({
  view: 'list',
  sort: 'name',
  order: 'asc',
  showHidden: false,
  fileClick: 'preview',
  uploadConflict: 'ask',
  theme: '',
  colourMode: 'auto',
  language: 'auto',
});

const oneOf = <T extends string>(allowed: readonly T[], value: unknown): T | undefined =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;

/**
 * A stored document → settings: unknown or invalid fields fall back to the defaults, so a theme removed from the
 * registry or a field from a later version never breaks a page.
 */
export function settingsFrom(doc: unknown, themes: readonly string[]): UserSettings {
  const d = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const theme = typeof d.theme === 'string' && themes.includes(d.theme) ? d.theme : DEFAULT_SETTINGS.theme;
  return {
    view: oneOf(VIEWS, d.view) ?? DEFAULT_SETTINGS.view,
    sort: oneOf(SORTS, d.sort) ?? DEFAULT_SETTINGS.sort,
    order: oneOf(ORDERS, d.order) ?? DEFAULT_SETTINGS.order,
    showHidden: typeof d.showHidden === 'boolean' ? d.showHidden : DEFAULT_SETTINGS.showHidden,
    fileClick: oneOf(FILE_CLICKS, d.fileClick) ?? DEFAULT_SETTINGS.fileClick,
    uploadConflict: oneOf(UPLOAD_CONFLICTS, d.uploadConflict) ?? DEFAULT_SETTINGS.uploadConflict,
    theme,
    colourMode: oneOf(COLOUR_MODES, d.colourMode) ?? DEFAULT_SETTINGS.colourMode,
    language: oneOf(LANGUAGE_CHOICES, d.language) ?? DEFAULT_SETTINGS.language,
  };
}

/**
 * The /settings form's fields → a validated change. Unlike stored documents, a submitted value that is not
 * allowed is refused with a message naming the field: silently keeping the old value would look like a save.
 * A checkbox is absent when unticked, so the form says which fields it carries (`fields`).
 */
export function settingsPatchFromForm(body: Record<string, unknown>, themes: readonly string[]): Partial<UserSettings> {
  const patch: Partial<UserSettings> = {};
  const bad = (key: keyof UserSettings): never => {
    throw new BadRequestError(...said(`errors.form.badChoice.${key}`));
  };
  const pickInto = <K extends keyof UserSettings>(key: K, allowed: readonly string[]): void => {
    if (body[key] === undefined) return;
    const v = oneOf(allowed, body[key]);
    if (v === undefined) bad(key);
    (patch as Record<string, unknown>)[key] = v;
  };
  pickInto('view', VIEWS);
  pickInto('sort', SORTS);
  pickInto('order', ORDERS);
  pickInto('fileClick', FILE_CLICKS);
  pickInto('uploadConflict', UPLOAD_CONFLICTS);
  pickInto('colourMode', COLOUR_MODES);
  pickInto('language', LANGUAGE_CHOICES);
  if (body.theme !== undefined) {
    if (typeof body.theme !== 'string' || (body.theme !== '' && !themes.includes(body.theme))) bad('theme');
    patch.theme = body.theme as string;
  }
  // The form posts `showHidden=1` when ticked and nothing when not; a hidden `fields` input says it was there.
  if (body.showHidden !== undefined) patch.showHidden = body.showHidden === '1' || body.showHidden === 'on' || body.showHidden === 'true';
  else if (typeof body.fields === 'string' && body.fields.split(',').includes('showHidden')) patch.showHidden = false;
  return patch;
}
