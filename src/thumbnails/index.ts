export { ThumbnailService, ThumbnailTooLargeError, ThumbnailUnreadableError, isThumbnailable, type Thumbnail, type ThumbnailOptions } from './thumbnails.js';
