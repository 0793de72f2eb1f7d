// Which addresses a server-side request on behalf of configuration may not reach.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress } from './private-addresses.ts';

test('loopback, link-local, RFC 1918, CGNAT, ULA and the unspecified addresses are private', () => {
  for (const address of [
    '127.0.0.1', '127.255.0.9', '0.0.0.0', '0.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.254', '192.168.1.1', '100.64.0.1', '100.127.255.255',
    '169.254.169.254', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', '[::1]', 'ff02::1',
  ]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('IPv4-mapped, IPv4-compatible and NAT64 forms of private IPv4 addresses are private too', () => {
  for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::ffff:10.1.2.3', '::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::192.168.0.1']) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('public addresses are not, in every form', () => {
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});

test('anything that is not an IP address counts as private (the caller resolves names first)', () => {
  assert.equal(isPrivateAddress('localhost'), true);
  assert.equal(isPrivateAddress(''), true);
});
