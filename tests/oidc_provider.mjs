// A real OpenID provider for the tests (oidc-provider, OpenID Certified), on a loopback port.
//
//   node tests/oidc_provider.mjs PORT REDIRECT_URIS [POST_LOGOUT_REDIRECT_URIS]   (comma-separated lists)
//
// Every login name is an account (the dev sign-in form takes any name and password): its subject is the name
// and its `preferred_username` too, so a hub username signs in as itself and any other name is unknown to the hub.
// A login that is a personal code (DDMMYY-NNNNN) also carries it as `personal_code`, as a citizens' eID would.
// One confidential client, `hub` (secret `hub-test-secret`), does authorization code with PKCE and refresh tokens;
// access tokens for the resource `urn:hub:api` are JWTs for the audience `hub-api` that carry `preferred_username`.
// Prints `ready` on stdout once it listens; stops on SIGTERM.
import Provider from 'oidc-provider';

const [port, redirectUris, postLogoutUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'urn:hub:api'; // the resource indicator (an absolute URI)
const API = 'hub-api'; // the audience of its access tokens

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'hub',
      client_secret: 'hub-test-secret',
      redirect_uris: redirectUris.split(','),
      post_logout_redirect_uris: postLogoutUris ? postLogoutUris.split(',') : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'personal_code'] },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        // A login that is a personal code stands for a resident signing in with a citizen's identity.
        const code = /^\d{6}-?\d{5}$/.test(id) ? { personal_code: id } : {};
        return { sub: id, preferred_username: id, name: id, ...code };
      },
    };
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  async extraTokenClaims(ctx, token) {
    return token.accountId ? { preferred_username: token.accountId } : undefined;
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== RESOURCE) throw new Error(`unknown resource ${resource}`);
        return { scope: 'openid profile', audience: API, accessTokenFormat: 'jwt', accessTokenTTL: 300 };
      },
    },
  },
  ttl: { Session: 3600, Grant: 3600, IdToken: 300, RefreshToken: 3600, AuthorizationCode: 60, Interaction: 600 },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
