/** See auto-dark-css.mjs: the CSS that makes colour mode "auto" follow the OS, from a Bootstrap 5.3 stylesheet. */
export function autoDarkCss(css: string): string;
