import { enableBrowse } from './browse.js';
import { enableCopyButtons } from './copy.js';
import { enableUpload } from './upload.js';

// Loaded as a module script, so it runs after the document is parsed.
enableCopyButtons();
enableBrowse();
enableUpload();
