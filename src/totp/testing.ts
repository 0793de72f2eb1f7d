// Test fixtures shared by the *.test.ts files here. Not part of the public API (not in index.ts),
// and the only file here that uses dev dependencies (jsqr, pngjs).
import jsQR, { type QRCode } from 'jsqr';
import { PNG } from 'pngjs';

/** [issuer, account] pairs with every character that has a meaning in a URI, a label or a QR code. */
export const AWKWARD_NAMES: readonly (readonly [string, string])[] = [
  ['Acme Corp', 'alice smith'],
  ['Acme', 'bob:builder'],
  ['Acme:Corp', 'carol'],
  ['a@b', 'carol@example.com'],
  ['Foo/Bar', 'JDBC/alice'],
  ['100% Real', '50%off'],
  ['Q&A', 'x&y=z'],
  ['Why?', 'who?me'],
  ['#1', 'hash#tag'],
  ['+plus', 'a+b c'],
  ['Ünïcødé Ørg', 'José Müller'],
  ['東京銀行', '用户'],
  ['😀 Emoji', 'ĳssel'],
];

// jsqr is CommonJS with `export default` in its types, so under NodeNext the default import is typed
// as the module object; at run time it is the function.
const decodeQr = jsQR as unknown as (data: Uint8ClampedArray, width: number, height: number) => QRCode | null;

/** Reads a PNG the way a phone camera would: pixels in, QR text out (undefined if none found). */
export function readQrPng(png: Buffer): { text: string | undefined; width: number; height: number } {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return { text: decodeQr(pixels, image.width, image.height)?.data, width: image.width, height: image.height };
}
