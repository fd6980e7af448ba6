// Test driver: a real OpenID Connect provider (the certified `oidc-provider` package) on
// 127.0.0.1, for the back-office's sign-in tests. Its development login form accepts any
// login; the account's claims come from ACCOUNTS. Prints one JSON line once listening:
// {"issuer": "http://127.0.0.1:PORT"}. Stops on SIGTERM.
//
// Environment: CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS
// (space-separated), ACCOUNTS (JSON: {"login": {"email": "...", "groups": ["..."]}}).
import { createServer } from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(' '),
    post_logout_redirect_uris: (process.env.POST_LOGOUT_REDIRECT_URIS || '').split(' ').filter(Boolean),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['a test secret for the cookies of the test provider'] },
  pkce: { required: () => true },
  acrValues: ['eidas1'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
  scopes: ['openid', 'email', 'groups'],
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  conformIdTokenClaims: false, // claims asked by scope also go in the id_token
  async findAccount(ctx, sub) {
    const known = accounts[sub] || {};
    return {
      accountId: sub,
      async claims() {
        return { sub, email: known.email, email_verified: true, groups: known.groups || [] };
      },
    };
  },
});
// The development login records no authentication level: record the one ProConnect
// answers with (eidas1), as the client checks it against the acr_values it asked for.
const finished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => finished(
  req, res, result.login ? { ...result, login: { ...result.login, acr: process.env.ACR || 'eidas1' } } : result,
  options,
);
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
