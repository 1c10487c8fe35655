import { enableAnnouncer } from './announce.js';
import { enableBookmarks } from './bookmarks.js';
import { enableBrowse } from './browse.js';
import { enableColourMode } from './colour-mode.js';
import { enableCopyButtons } from './copy.js';
import { enableLive } from './live.js';
import { enableKeyboard } from './keyboard.js';
import { enableOps } from './ops/index.js';
import { enableSearch } from './search.js';
import { enableUpload } from './upload.js';

// Controls that need JavaScript carry .pc-js-only and stay hidden until this runs (public/css/app.css).
document.documentElement.classList.add('pc-js');
// Loaded as a module script, so it runs after the document is parsed.
// First: the live region must be on the page before anything has something to say.
enableAnnouncer();
enableCopyButtons();
enableColourMode();
enableBrowse();
enableUpload();
enableOps();
enableLive();
enableBookmarks();
enableSearch();
// After the operations UI: its selection model handles a checkbox click before the keyboard module reads it out.
enableKeyboard();
