import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLoadTarget, HostNotAllowedError, isLoopback } from '../../server/load/hostPolicy';

test('loopback targets are always allowed', () => {
  const cases: [url: string, hostname: string][] = [
    ['http://127.0.0.1:3000/report', '127.0.0.1'],
    ['http://127.0.0.1/', '127.0.0.1'],
    ['https://127.0.0.1:8443/x?y=1', '127.0.0.1'],
    ['http://127.255.10.2:80/', '127.255.10.2'],
    ['http://127.1:3000/', '127.0.0.1'], // short IPv4 form, normalised by the URL parser
    ['http://2130706433/', '127.0.0.1'], // 127.0.0.1 as one number
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://localhost:3000/', 'localhost'],
    ['http://LOCALHOST:3000/', 'localhost'],
    ['http://[::1]:3000/', '[::1]'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]'],
    ['http://[::ffff:127.0.0.1]:3000/', '[::ffff:7f00:1]'],
    ['  http://127.0.0.1:3000/  ', '127.0.0.1'],
  ];
  for (const [url, hostname] of cases) {
    const parsed = checkLoadTarget(url, []);
    assert.ok(parsed instanceof URL, url);
    assert.equal(parsed.hostname, hostname, url);
  }
  assert.equal(checkLoadTarget('http://127.0.0.1:3000/a/b?c=d', []).href, 'http://127.0.0.1:3000/a/b?c=d');
});

test('other hosts are refused unless allowed, with a message that says how to allow them', () => {
  const cases: [url: string, host: string][] = [
    ['http://example.com/', 'example.com'],
    ['https://api.example.com:8443/', 'api.example.com'],
    ['http://localhost.evil.com/', 'localhost.evil.com'], // no DNS: the name is not loopback
    ['http://127.0.0.1.nip.io/', '127.0.0.1.nip.io'],
    ['http://localhost./', 'localhost.'],
    ['http://0.0.0.0:3000/', '0.0.0.0'],
    ['http://128.0.0.1/', '128.0.0.1'],
    ['http://10.0.0.5:3000/', '10.0.0.5'],
    ['http://[::2]/', '[::2]'],
    ['http://[2001:db8::1]:8080/', '[2001:db8::1]'],
    ['http://[::ffff:10.0.0.1]/', '[::ffff:a00:1]'],
    ['http://127.0.0.1:3000@evil.com/', 'evil.com'], // userinfo, not the host
    ['http://evil.com#@127.0.0.1/', 'evil.com'],
  ];
  for (const [url, host] of cases) {
    assert.throws(
      () => checkLoadTarget(url, []),
      (err: unknown) => {
        assert.ok(err instanceof HostNotAllowedError, url);
        assert.equal(err.code, 'HOST_NOT_ALLOWED');
        assert.equal(err.host, host);
        assert.ok(err.message.includes(`load goes only to loopback unless you allow the host: add --allow-host ${host}`), err.message);
        assert.ok(err.message.includes(`refusing to put load on ${host}`), err.message);
        return true;
      },
    );
  }
});

test('allow-host entries: host or host:port, case-insensitive', () => {
  const allowed: [url: string, allowHosts: string[]][] = [
    ['http://example.com/', ['example.com']],
    ['http://Example.COM:8080/', ['example.com']],
    ['http://example.com:8080/', ['EXAMPLE.com']],
    ['http://example.com:8080/', ['example.com:8080']],
    ['http://example.com/', ['example.com:80']], // default port
    ['https://example.com/', ['example.com:443']],
    ['http://example.com:8080/', ['other.org', ' example.com:8080 ']],
    ['http://10.0.0.5:3000/', ['10.0.0.5']],
    ['http://[2001:db8::1]:8080/', ['[2001:db8::1]:8080']],
    ['http://[2001:db8::1]/', ['[2001:DB8:0::1]']],
    ['http://[2001:db8::1]/', ['2001:db8::1']], // bare IPv6
    ['http://0.0.0.0:3000/', ['0.0.0.0']],
  ];
  for (const [url, allowHosts] of allowed) assert.doesNotThrow(() => checkLoadTarget(url, allowHosts), `${url} with ${allowHosts.join(', ')}`);

  const refused: [url: string, allowHosts: string[]][] = [
    ['http://example.com:8081/', ['example.com:8080']],
    ['http://example.com/', ['example.com:8080']],
    ['https://example.com/', ['example.com:80']],
    ['http://sub.example.com/', ['example.com']],
    ['http://example.com.evil.org/', ['example.com']],
    ['http://example.org/', ['example.com']],
    ['http://[2001:db8::2]/', ['[2001:db8::1]']],
  ];
  for (const [url, allowHosts] of refused) assert.throws(() => checkLoadTarget(url, allowHosts), HostNotAllowedError, `${url} with ${allowHosts.join(', ')}`);
});

test('malformed allow-host entries are reported', () => {
  for (const entry of ['', 'http://example.com', 'example.com:http', 'example.com:0', 'example.com:70000', 'example.com/path', 'user@example.com']) {
    assert.throws(() => checkLoadTarget('http://example.com/', [entry]), /invalid --allow-host/, JSON.stringify(entry));
  }
  // Entries are only read when the target is not loopback.
  assert.doesNotThrow(() => checkLoadTarget('http://127.0.0.1/', ['http://bad']));
});

test('bad URLs and schemes get a clear error, not a HostNotAllowedError', () => {
  const cases: [url: string, message: RegExp][] = [
    ['', /invalid URL "": give an absolute http:\/\/ or https:\/\/ URL/],
    ['not a url', /invalid URL "not a url"/],
    ['/report', /invalid URL "\/report"/],
    ['127.0.0.1:3000/report', /invalid URL/],
    ['http://', /invalid URL/],
    ['http://[::1/', /invalid URL/],
    ['ftp://127.0.0.1/', /unsupported URL "ftp:\/\/127.0.0.1\/": load is sent only over http:\/\/ or https:\/\/$/],
    ['file:///etc/passwd', /unsupported URL/],
    ['ws://127.0.0.1:3000/', /unsupported URL/],
    ['localhost:3000/report', /unsupported URL .*\(did you mean http:\/\/localhost:3000\/report\?\)/],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => checkLoadTarget(url, ['example.com']),
      (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof HostNotAllowedError), url);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});

test('isLoopback on normalised hostnames', () => {
  for (const host of ['localhost', '127.0.0.1', '127.0.0.53', '[::1]', '[::ffff:7f00:1]']) assert.equal(isLoopback(host), true, host);
  for (const host of ['localhost.evil.com', 'mylocalhost', '0.0.0.0', '1.127.0.0.1', '[::]', '[::2]', '[::ffff:a00:1]', '']) assert.equal(isLoopback(host), false, host);
});
