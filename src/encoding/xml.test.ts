import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { el, parseXmlStrict, serialize } from './xml.ts';

const OPTIONS = { maxBytes: 1024, code: 'PCS-40000', tooLargeCode: 'PCS-41300', what: 'test document' } as const;

test('parseXmlStrict refuses DOCTYPE, processing instructions, two roots, bad XML and size; comments only when allowed', () => {
  const refused: [string, string, RegExp][] = [
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'PCS-40000', /document type declaration is not allowed in a test document/],
    ['<?xml version="1.0"?><?php x ?><a/>', 'PCS-40000', /Processing instructions/],
    ['<a/><b/>', 'PCS-40000', /exactly one root|not well-formed/],
    ['text<a/>', 'PCS-40000', /not well-formed/],
    ['<a><b></a>', 'PCS-40000', /not well-formed/],
    ['<a><!-- c --></a>', 'PCS-40000', /Comments are not allowed/],
    [`<a>${'x'.repeat(1100)}</a>`, 'PCS-41300', /./],
  ];
  for (const [xml, code, text] of refused) {
    assert.throws(() => parseXmlStrict(xml, OPTIONS), (e: unknown) => e instanceof AppError && e.code === code && text.test(e.description), xml.slice(0, 40));
  }
  const doc = parseXmlStrict('<!-- before --><a xmlns="urn:x"><!-- c --><b>1</b></a><!-- after -->', { ...OPTIONS, allowComments: true });
  assert.equal(doc.documentElement?.namespaceURI, 'urn:x');
});

test('serialize escapes text and attributes', () => {
  assert.equal(serialize(el('a', { b: '"<&>' }, ['<x>&\r'])), '<a b="&quot;&lt;&amp;&gt;">&lt;x&gt;&amp;&#13;</a>');
});
