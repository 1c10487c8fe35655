export { brandingAssets, type BrandingAssets } from './assets.js';
export { brandLocals, type BrandLocals } from './locals.js';
export { loginBackground } from './login-background.js';
export { brandingRoutes } from './routes.js';
export { themeColors } from './theme-color.js';
