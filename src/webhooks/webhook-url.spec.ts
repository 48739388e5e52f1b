import { checkAddress, isAllowedPrivateHost, isSpecialAddress, parseWebhookUrl, UnsafeWebhookUrl } from './webhook-url';

describe('webhook URLs (SSRF)', () => {
  it('refuses private, loopback, link-local and other special addresses, IPv4 and IPv6', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1']) {
      expect({ a, special: isSpecialAddress(a) }).toEqual({ a, special: true });
    }
    for (const a of ['::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1', 'ff02::1', '2001:db8::1']) {
      expect({ a, special: isSpecialAddress(a) }).toEqual({ a, special: true });
    }
    for (const a of ['93.184.215.14', '172.32.0.1', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e']) {
      expect({ a, special: isSpecialAddress(a) }).toEqual({ a, special: false });
    }
    expect(isSpecialAddress('not-an-ip')).toBe(true);
  });

  it('wants https in production, http elsewhere too, and no credentials', () => {
    expect(parseWebhookUrl('https://hooks.example.org/x#frag', true).toString()).toBe('https://hooks.example.org/x');
    expect(() => parseWebhookUrl('http://hooks.example.org/x', true)).toThrow(UnsafeWebhookUrl);
    expect(parseWebhookUrl('http://hooks.example.org/x', false).protocol).toBe('http:');
    expect(() => parseWebhookUrl('ftp://hooks.example.org/x', false)).toThrow('https');
    expect(() => parseWebhookUrl('https://user:pw@hooks.example.org/x', false)).toThrow('user name or password');
    expect(() => parseWebhookUrl('not a url', false)).toThrow('not a valid');
  });

  it('lets a listed host (or host:port) be private', () => {
    const url = new URL('http://127.0.0.1:8443/hook');
    expect(isAllowedPrivateHost(url, ['127.0.0.1'])).toBe(true);
    expect(isAllowedPrivateHost(url, ['127.0.0.1:8443'])).toBe(true);
    expect(isAllowedPrivateHost(url, ['127.0.0.1:9000'])).toBe(false);
    expect(isAllowedPrivateHost(new URL('https://[::1]/x'), ['[::1]:443'])).toBe(true);
    expect(isAllowedPrivateHost(url, [])).toBe(false);
  });

  it('refuses a literal private address and a name that resolves to one, unless allowed', async () => {
    await expect(checkAddress(new URL('http://127.0.0.1:8443/'), [])).rejects.toMatchObject({ code: 'private-address' });
    await expect(checkAddress(new URL('http://[::1]:8443/'), [])).rejects.toMatchObject({ code: 'private-address' });
    await expect(checkAddress(new URL('http://localhost:8443/'), [])).rejects.toMatchObject({ code: 'private-address' });
    await expect(checkAddress(new URL('http://localhost:8443/'), ['localhost'])).resolves.toBeUndefined();
    await expect(checkAddress(new URL('http://no-such-host.invalid/'), [])).rejects.toMatchObject({ code: 'unresolvable-host' });
  });
});
