import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { el, escapeAttr, newSamlId, parseSamlXml, serialize, textOf } from './xml.ts';

const refusedWith = (code: string, description?: RegExp) => (e: unknown) => e instanceof AppError && e.code === code && (!description || description.test(e.description));

test('parseSamlXml refuses what a SAML message never needs', () => {
  const cases: [string, RegExp][] = [
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /document type/],
    ['<a><!-- c --></a>', /Comments/],
    ['<?xml version="1.0"?><?php x ?><a/>', /Processing instructions/],
    ['<a/><b/>', /root|well-formed/],
    ['junk<a/>', /well-formed/],
    ['<a/>tail', /well-formed/],
    ['<a/> <!---->', /Comments/],
    ['<a><b></a>', /well-formed/],
    ['<a>&undefined;</a>', /well-formed/],
    ['', /root|well-formed/],
  ];
  for (const [xml, why] of cases) assert.throws(() => parseSamlXml(xml), refusedWith('SAML-40001', why), xml);
  assert.throws(() => parseSamlXml(`<a>${'x'.repeat(200_000)}</a>`), refusedWith('SAML-41301'));
  assert.equal(parseSamlXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1"><b>t</b></a>').documentElement!.localName, 'a');
});

test('textOf refuses an element inside a text field (no injected markup read as text)', () => {
  const doc = parseSamlXml('<a><i>ok</i><j>x<k/></j></a>');
  const [i, j] = Array.from(doc.documentElement!.childNodes) as Element[];
  assert.equal(textOf(i!), 'ok');
  assert.throws(() => textOf(j!), refusedWith('SAML-40001'));
});

test('serialize escapes every value; characters XML cannot carry are replaced', () => {
  const xml = serialize(el('r', { a: '"<&>\n\t', skip: undefined }, ['<b>&amp;</b>', el('c'), undefined, 'bad\u0000char']));
  assert.equal(xml, '<r a="&quot;&lt;&amp;&gt;&#10;&#9;">&lt;b&gt;&amp;amp;&lt;/b&gt;<c/>bad\uFFFDchar</r>');
  assert.equal(parseSamlXml(xml).documentElement!.getAttribute('a'), '"<&>\n\t', 'attribute values survive a round trip');
  assert.equal(escapeAttr('x\ry'), 'x&#13;y');
});

test('IDs are _ and 128 random bits', () => {
  const ids = new Set(Array.from({ length: 100 }, newSamlId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.match(id, /^_[0-9a-f]{32}$/);
});
