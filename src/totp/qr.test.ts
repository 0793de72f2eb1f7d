import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TotpInputError } from './errors.ts';
import { buildOtpauthUri, parseOtpauthUri } from './otpauth-uri.ts';
import { renderQrPng, renderQrPngDataUrl, renderQrSvg } from './qr.ts';
import { generateSecret } from './secret.ts';
import { AWKWARD_NAMES, readQrPng } from './testing.ts';

function readQr(png: Buffer): { text: string; width: number; height: number } {
  const { text, width, height } = readQrPng(png);
  assert.ok(text !== undefined, 'jsqr found a QR code');
  return { text, width, height };
}

test('a URI goes to PNG, is decoded by jsqr, parsed, and gives back the same parameters', async () => {
  for (const [i, [issuer, account]] of AWKWARD_NAMES.entries()) {
    const key = generateSecret(i % 3 === 0 ? 32 : 20);
    const algorithm = (['SHA1', 'SHA256', 'SHA512'] as const)[i % 3];
    const digits = i % 2 === 0 ? 6 : 8;
    const period = [30, 60, 45][i % 3];
    const uri = buildOtpauthUri({ issuer, account, key, algorithm, digits, period });
    const { text, width, height } = readQr(await renderQrPng(uri));
    assert.equal(text, uri, `${issuer} / ${account}`);
    assert.deepEqual(parseOtpauthUri(text), { issuer, account, key, algorithm, digits, period });
    assert.ok(width >= 256 && width === height, `size ${width}x${height}`);
  }
});

test('the PNG data URL holds the same PNG', async () => {
  const uri = buildOtpauthUri({ issuer: 'Acme', account: 'alice', key: generateSecret() });
  const url = await renderQrPngDataUrl(uri);
  assert.ok(url.startsWith('data:image/png;base64,'));
  const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  assert.equal(readQr(png).text, uri);
  assert.deepEqual(png, await renderQrPng(uri), 'rendering is deterministic');
});

test('the SVG has the same pixel size as the PNG, a viewBox and crisp edges', async () => {
  const uri = buildOtpauthUri({ issuer: 'Acme Corp', account: 'alice@example.com', key: generateSecret() });
  const svg = await renderQrSvg(uri);
  const { width } = readQr(await renderQrPng(uri));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const m = /width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  assert.ok(m, 'width, height and viewBox present');
  assert.equal(Number(m[1]), width);
  assert.equal(Number(m[1]) % Number(m[3]), 0, 'a whole number of pixels per module');
  assert.ok(svg.includes('shape-rendering="crispEdges"'));
  assert.ok(!svg.includes(uri), 'the secret is not in the SVG as text');
});

test('minPixels makes larger images with whole-pixel modules', async () => {
  const uri = buildOtpauthUri({ issuer: 'Acme', account: 'alice', key: generateSecret() });
  const small = readQr(await renderQrPng(uri));
  const large = readQr(await renderQrPng(uri, { minPixels: 600 }));
  assert.ok(large.width >= 600);
  assert.ok(large.width > small.width);
  assert.equal(large.text, uri);
});

test('minPixels outside 1..4096 is refused', async () => {
  const uri = buildOtpauthUri({ issuer: 'Acme', account: 'alice', key: generateSecret() });
  for (const minPixels of [0, -1, 1.5, Number.NaN, 5000]) {
    await assert.rejects(renderQrPng(uri, { minPixels }), TotpInputError, String(minPixels));
  }
});
