import { dto, member, operation, t } from './dsl.ts';
import { ResponseStatus } from './common.ts';

const tag = 'Auth';

export const AuthenticateRequest = dto('Authenticate', {
  members: {
    // lower-case on the wire in every casing mode, as ServiceStack clients send it
    provider: member(t.string, { in: 'path', description: 'credentials (default), or logout' }),
    UserName: member(t.string, { in: 'body', maxLength: 200 }),
    Password: member(t.string, { in: 'body', maxLength: 1024 }),
    RememberMe: member(t.bool, { in: 'body', description: 'Keep the session beyond the browser session (ss-opt=perm)' }),
    AccessToken: member(t.string, { in: 'body' }),
    ReturnUrl: member(t.string, { in: 'body' }),
    Meta: member(t.dict(t.string, t.string), { in: 'body' }),
  },
});

export const AuthenticateResponse = dto('AuthenticateResponse', {
  members: {
    UserId: member(t.string),
    SessionId: member(t.string),
    UserName: member(t.string),
    DisplayName: member(t.string),
    ReferrerUrl: member(t.string),
    BearerToken: member(t.string),
    RefreshToken: member(t.string),
    ProfileUrl: member(t.string),
    Roles: member(t.list(t.string)),
    Permissions: member(t.list(t.string)),
    ResponseStatus: member(t.ref(ResponseStatus)),
    Meta: member(t.dict(t.string, t.string)),
  },
});

export const Authenticate = operation({
  tag,
  summary: 'Sign in with a user name and password, or sign out',
  notes: 'On success the session cookies ss-id and ss-pid (and ss-opt) are set; send them back, or the session id in an X-ss-id header.',
  request: AuthenticateRequest,
  response: AuthenticateResponse,
  routes: [
    { path: '/auth', verbs: ['GET', 'POST'] },
    { path: '/auth/{provider}', verbs: ['GET', 'POST'] },
  ],
  requiresAuth: false,
});
