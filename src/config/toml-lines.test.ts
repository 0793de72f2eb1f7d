// The key -> line scanner must survive everything smol-toml accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { lineOf, scanKeyLines } from './toml-lines.ts';

function lines(text: string): (path: string) => number | undefined {
  parse(text); // the scanner only ever sees valid TOML
  const index = scanKeyLines(text);
  return (path) => lineOf(index, path.split('.'));
}

test('tables, keys, comments and blank lines', () => {
  const at = lines('# top\n\na = 1\n[server] # trailing\n  port = 9443 # c\n\n[database.identity_db]\ntype = "x"\n');
  assert.equal(at('a'), 3);
  assert.equal(at('server'), 4);
  assert.equal(at('server.port'), 5);
  assert.equal(at('database.identity_db.type'), 8);
  assert.equal(at('database'), 7);
  assert.equal(at('server.missing'), 4, 'a missing key falls back to its table');
  assert.equal(at('nowhere'), undefined);
});

test('dotted and quoted keys', () => {
  const at = lines('[x]\na.b = 1\n"quoted.key" = 2\n\'lit\' . c = 3\n"esc\\"q" = 4\n');
  assert.equal(at('x.a.b'), 2);
  assert.equal(at('x.a'), 2);
  assert.deepEqual(lineOf(scanKeyLines('[x]\n"quoted.key" = 2\n'), ['x', 'quoted.key']), 2);
  assert.equal(at('x.lit.c'), 4);
  assert.deepEqual(lineOf(scanKeyLines('"esc\\"q" = 4\n'), ['esc"q']), 1);
});

test('multi-line strings and arrays do not confuse it', () => {
  const text = [
    '[s]',
    'a = """',
    'fake = 1',
    '[not.a.table]',
    '"""',
    "b = '''",
    "x = ''' # still the string? no: closed here",
    'c = [',
    '  "[nope]", # comment with = sign',
    '  2,',
    ']',
    'd = { e = 1, f = "}" }',
    'g = "#not a comment"',
    'h = """quote "" inside"""',
    'i = 1',
  ].join('\n');
  const at = lines(text);
  assert.equal(at('s.a'), 2);
  assert.equal(at('s.fake'), 1, 'inside a string: falls back to the table');
  assert.equal(at('not'), undefined);
  assert.equal(at('s.b'), 6);
  assert.equal(at('s.c'), 8);
  assert.equal(at('s.d'), 12);
  assert.equal(at('s.d.e'), 12, 'inline table keys map to their parent line');
  assert.equal(at('s.g'), 13);
  assert.equal(at('s.h'), 14);
  assert.equal(at('s.i'), 15);
});

test('arrays of tables get an index per element', () => {
  const at = lines('[[step]]\nname = "a"\n[[step]]\nname = "b"\n[step.opts]\nx = 1\n');
  assert.equal(at('step'), 1);
  assert.equal(at('step.0.name'), 2);
  assert.equal(at('step.1.name'), 4);
  assert.equal(at('step.1.opts.x'), 6);
});

test('CRLF line endings', () => {
  const at = lines('[server]\r\nport = 1\r\n\r\nhostname = "h"\r\n');
  assert.equal(at('server.port'), 2);
  assert.equal(at('server.hostname'), 4);
});
