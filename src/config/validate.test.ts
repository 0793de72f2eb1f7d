// Messages for broken files: each names the file, the line and the key, and all come at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.ts';
import { parseConfigText } from './load.ts';

const FILE = 'config/deployment.toml';

/** The printable message for `text`; fails the test if the text is accepted. */
function messageOf(text: string): string {
  try {
    parseConfigText(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('config was accepted');
}

test('a wrong type names file, line, section and key, and shows the value', () => {
  const message = messageOf('[server]\nhostname = "h"\nport = "abc"\n');
  assert.equal(message, `${FILE}:3: [server] port: expected an integer between 0 and 65535, got "abc"`);
});

test('an unknown key is refused with a suggestion when one is close', () => {
  assert.equal(
    messageOf('# comment\n[server]\nprot = 9443\n'),
    `${FILE}:3: unknown key "prot" in [server] (did you mean "port"?)`,
  );
  assert.equal(messageOf('[server]\nzzzzzz = 1\n'), `${FILE}:2: unknown key "zzzzzz" in [server]`);
  assert.equal(messageOf('\n[servr]\nport = 1\n'), `${FILE}:2: unknown section [servr] (did you mean [server]?)`);
  assert.equal(messageOf('top = 1\n'), `${FILE}:1: unknown key "top" at the top level`);
});

test('a case slip in a TOTP parameter name is suggested, not accepted', () => {
  const message = messageOf('[authentication.authenticator.totp.parameters]\ntimestepsize = 30\n');
  assert.match(message, /:2: unknown key "timestepsize" in \[authentication\.authenticator\.totp\.parameters\] \(did you mean "timeStepSize"\?\)/);
});

test('a bad enum value lists the allowed values', () => {
  assert.equal(
    messageOf('[logging]\nlevel = "verbose"\n'),
    `${FILE}:2: [logging] level: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "verbose"`,
  );
  // encodingMethod is read as WSO2 reads it (src/config/wso2-dropin.test.ts); only a non-string is refused.
  assert.match(messageOf('[authentication.authenticator.totp.parameters]\nencodingMethod = 64\n'), /:2: .* encodingMethod: expected a string such as "Base32" or "Base64", got 64$/);
});

test('an out-of-range integer gives the range', () => {
  assert.equal(
    messageOf('[database.identity_db]\npool_size = 0\n'),
    `${FILE}:2: [database.identity_db] pool_size: expected an integer between 1 and 1000, got 0`,
  );
  assert.match(
    messageOf('[authentication.authenticator.totp.parameters]\nwindowSize = "22"\n'),
    /:2: \[authentication\.authenticator\.totp\.parameters\] windowSize: expected an integer between 1 and 21, got "22"$/,
  );
  assert.match(messageOf('[server]\nport = 1.5\n'), /:2: \[server\] port: expected an integer between 0 and 65535, got 1\.5$/);
});

test('strings are not accepted for numbers or booleans outside the lenient TOTP section', () => {
  assert.match(messageOf('[server]\nport = "9443"\n'), /:2: \[server\] port: expected an integer/);
  assert.match(messageOf('[server]\ntrust_proxy = "true"\n'), /:2: \[server\] trust_proxy: expected true or false, got "true"$/);
});

test('a value still wrong after lenient coercion is refused', () => {
  const message = messageOf('[authentication.authenticator.totp.parameters]\nauthenticationMandatory = "yes"\ntimeStepSize = "30s"\n');
  assert.match(message, /:2: .* authenticationMandatory: expected true or false, got "yes"/);
  assert.match(message, /:3: .* timeStepSize: expected an integer between 1 and 300, got "30s"/);
});

test('a TOML syntax error gives line and column', () => {
  const message = messageOf('[server]\nhostname = "a"\nport = = 3\n');
  assert.equal(message, `${FILE}:3:8: invalid TOML: invalid value`);
  assert.match(messageOf('[server]\nport = 1\nport = 2\n'), /^config\/deployment\.toml:3:1: invalid TOML: .*redefine/);
});

test('all problems are reported at once, in file order, one per line', () => {
  const text = [
    '[server]', //                          1
    'port = 70000', //                      2
    'hostnme = "x"', //                     3
    '[logging]', //                         4
    'level = 3', //                         5
    '[authentication.authenticator.totp.parameters]', // 6
    'digits = "7"', //                      7
    'windowSize = 0', //                    8
  ].join('\n');
  const lines = messageOf(text).split('\n');
  assert.equal(lines.length, 5);
  assert.deepEqual(
    lines.map((l) => l.split(':')[1]),
    ['2', '3', '5', '7', '8'],
  );
  assert.match(lines[1] ?? '', /unknown key "hostnme" in \[server\] \(did you mean "hostname"\?\)/);
  assert.match(lines[3] ?? '', /digits: expected one of 6, 8, got "7"/);
});

test('ConfigError carries structured problems with dotted keys', () => {
  try {
    parseConfigText('[server]\nport = -1\n[sample_app]\nport = "x"\n', FILE);
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => [p.key, p.line]),
      [
        ['server.port', 2],
        ['sample_app.port', 4],
      ],
    );
    assert.equal(error.file, FILE);
  }
});

test('cross-field checks: TLS pair, database url, SMTP, TOTP userAttribute', () => {
  assert.equal(
    messageOf('[transport.https]\ncertificate = "tls/cert.pem"\n'),
    `${FILE}:1: [transport.https] private_key: must be set when certificate is set`,
  );
  assert.equal(
    messageOf('[database.identity_db]\ntype = "postgre"\npool_size = 5\n'),
    `${FILE}:1: [database.identity_db] url: required when type = "postgres"`,
  );
  assert.match(
    messageOf('[database.identity_db]\nurl = "postgres://u@h/db"\n'),
    /:2: \[database\.identity_db\] url: is only used with type = "postgres" or "mysql"/,
  );
  assert.match(
    messageOf('[database.identity_db]\ntype = "mysql"\nurl = "postgres://u@h/db"\n'),
    /:3: \[database\.identity_db\] url: must be a URL starting with mysql:\/\/ or mariadb:\/\/ for type = "mysql"/,
  );
  assert.match(
    messageOf('[output_adapter.email]\nhostname = "smtp.example.com"\n'),
    /:1: \[output_adapter\.email\] from_address: required when hostname is set\n.*:1: \[output_adapter\.email\] username: required/,
  );
  assert.match(
    messageOf('[authentication.authenticator.totp.parameters]\nusecase = "userAttribute"\n'),
    /:1: .* userAttribute: required when usecase = "userAttribute"$/,
  );
  assert.match(
    messageOf('[password_hashing]\nmemory_cost = 16\nparallelism = 4\n'),
    /:2: \[password_hashing\] memory_cost: must be at least 8 KiB per lane \(32 with parallelism = 4\)$/,
  );
});

test('a key and its alias both set is refused', () => {
  const message = messageOf(
    '[authentication.authenticator.totp.parameters]\nTOTPAuthenticationEndpointURL = "a/b.do"\ntotp_authentication_endpointURL = "c/d.do"\n',
  );
  assert.match(message, /:3: .* totp_authentication_endpointURL: already set as "TOTPAuthenticationEndpointURL"/);
});

test('secret values never appear in messages', () => {
  const secrets = ['hunter2-db', 'hunter2-url', 'not-a-key-hunter2', 'old-key-hunter2', 'mail-hunter2'];
  const text = `
[database.identity_db]
type = "mysql"
password = ["hunter2-db"]
url = "http://root:hunter2-url@db/x"
[encryption]
key = "not-a-key-hunter2"
previous_keys = ["old-key-hunter2"]
[output_adapter.email]
password = 42
[super_admin]
password = ["mail-hunter2"]
`;
  const message = messageOf(text);
  assert.equal(message.split('\n').length, 5, message);
  for (const secret of secrets) assert.ok(!message.includes(secret), `message leaks ${secret}:\n${message}`);
  assert.match(message, /\[encryption\] key: expected 32 bytes .* \(value not shown: secret\)/);
});

test('secrets in a cross-field url check are not echoed', () => {
  const message = messageOf('[database.identity_db]\ntype = "postgres"\nurl = "mysql://root:hunter2@db/x"\n');
  assert.ok(!message.includes('hunter2'), message);
  assert.match(message, /url: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
});

test('a TOML syntax error does not echo the line it happened on', () => {
  const message = messageOf('[super_admin]\npassword = "hunter2\n');
  assert.ok(!message.includes('hunter2'), message);
  assert.match(message, /^config\/deployment\.toml:2:\d+: invalid TOML: /);
});
