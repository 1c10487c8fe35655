// The README's screenshots (docs/screenshots/): how they are encoded and the size each may have, shared by the
// e2e file that takes them and the unit test that checks the committed ones.
import sharp from 'sharp';

/** Issue 14: each committed screenshot is a small PNG, at most 150 KB. */
export const SCREENSHOT_MAX_BYTES = 150 * 1000;

/**
 * Re-encodes Chromium's PNG as a 256-colour palette PNG at the highest compression: UI screens have few colours,
 * so this is several times smaller than the truecolour original and still crisp (photos in thumbnails dither a
 * little, which is fine at thumbnail size).
 */
export async function encodeScreenshot(png: Buffer): Promise<Buffer> {
  return sharp(png).png({ palette: true, colours: 256, compressionLevel: 9, effort: 10 }).toBuffer();
}
