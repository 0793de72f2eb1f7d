// QR codes for otpauth URIs, rendered on the server so the secret never travels in a URL to a
// client-side renderer (WSO2 passes it in the `ske` query parameter).
import type QRCodeModule from 'qrcode';
import { TotpInputError } from './errors.ts';

/** Rendering options; the defaults suit a phone camera at arm's length. */
export interface QrOptions {
  /** Smallest image width in pixels; the real width is the next whole number of pixels per module. Default 256. */
  readonly minPixels?: number;
}

// ISO/IEC 18004: level M recovers ~15% damage (glare, a smudged screen) and keeps a ~150-character
// URI at version 7-8; the quiet zone must be at least 4 modules wide or some readers fail.
const ERROR_CORRECTION = 'M';
const MARGIN = 4;
const DEFAULT_MIN_PIXELS = 256;
const MAX_PIXELS = 4096;

// qrcode's `width` option scales by a fraction, which gives modules of uneven pixel widths; a whole
// `scale` keeps every module the same size and the edges sharp.
function layout(QRCode: typeof QRCodeModule, uri: string, options: QrOptions): { scale: number; width: number } {
  const minPixels = options.minPixels ?? DEFAULT_MIN_PIXELS;
  if (!Number.isSafeInteger(minPixels) || minPixels < 1 || minPixels > MAX_PIXELS) {
    throw new TotpInputError('params', `QR minPixels must be a whole number from 1 to ${MAX_PIXELS}.`);
  }
  const modules = QRCode.create(uri, { errorCorrectionLevel: ERROR_CORRECTION }).modules.size + 2 * MARGIN;
  const scale = Math.max(1, Math.ceil(minPixels / modules));
  return { scale, width: scale * modules };
}

// Loaded with the first QR code (an enrolment), not at start.
async function loadQrCode(): Promise<typeof QRCodeModule> {
  return (await import('qrcode')).default;
}

/** The URI as an SVG document (a string), black on white, with a fixed pixel size and viewBox. */
export async function renderQrSvg(uri: string, options: QrOptions = {}): Promise<string> {
  const QRCode = await loadQrCode();
  const { width } = layout(QRCode, uri, options);
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, width });
}

/** The URI as a PNG image, black on white. */
export async function renderQrPng(uri: string, options: QrOptions = {}): Promise<Buffer> {
  const QRCode = await loadQrCode();
  const { scale } = layout(QRCode, uri, options);
  return QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, scale });
}

/** The PNG as a `data:image/png;base64,...` URL, for an `<img src>` without another request. */
export async function renderQrPngDataUrl(uri: string, options: QrOptions = {}): Promise<string> {
  return `data:image/png;base64,${(await renderQrPng(uri, options)).toString('base64')}`;
}
