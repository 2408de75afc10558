import type { Authenticate } from '../../model/auth.ts';
import type { ShapeOf } from '../../model/dsl.ts';
import type { AuthenticateResponse } from '../../model/auth.ts';
import type { AuthUser } from '../../store/store.ts';
import { Errors, type FieldError, type ValidationCodeValue } from '../../shared/errors.ts';
import { serializeCookie } from '../../shared/cookies.ts';
import { newSessionId } from '../../shared/secrets.ts';
import type { Handler, RequestContext, ServiceParts } from '../context.ts';
import type { Authenticator } from './authenticator.ts';

type AuthResponse = ShapeOf<typeof AuthenticateResponse>;

export const authenticate = ({ auth }: Pick<ServiceParts, 'auth'>): Handler<typeof Authenticate> => async (req, ctx) => {
  const provider = (req.provider ?? '').toLowerCase();
  const credentials = { ...ctx.http };

  if (provider === 'logout') {
    await auth.endSession(credentials);
    for (const name of ['ss-id', 'ss-pid', 'ss-opt']) ctx.http.setCookie(serializeCookie(name, '', { maxAgeSeconds: 0, secure: ctx.http.secure }));
    return {};
  }

  if (provider === '' && !req.UserName && !req.Password) {
    // GET /auth: who am I
    const user = await auth.identify(credentials);
    if (!user) throw Errors.notAuthenticated();
    return describe(user);
  }

  if (provider !== '' && provider !== 'credentials' && provider !== 'login') throw Errors.unknownAuthProvider(provider);
  if (ctx.http.method === 'GET') throw Errors.credentialsNeedPost();

  const missing: FieldError<ValidationCodeValue>[] = [];
  if (!req.UserName) missing.push({ errorCode: 'NotEmpty', fieldName: 'UserName', message: "'UserName' must not be empty." });
  if (!req.Password) missing.push({ errorCode: 'NotEmpty', fieldName: 'Password', message: "'Password' must not be empty." });
  if (missing.length) throw Errors.validation(missing);

  const user = await auth.signIn(req.UserName!, req.Password!, ctx.http.address);
  return startSession(auth, user, !!req.RememberMe, ctx);
};

async function startSession(auth: Authenticator, user: AuthUser, rememberMe: boolean, ctx: RequestContext): Promise<AuthResponse> {
  const session = await auth.startSession(user, rememberMe);
  const maxAge = Math.floor(session.ttlMs / 1000);
  const secure = ctx.http.secure;
  ctx.http.setCookie(serializeCookie('ss-id', session.sessionId, { secure }));
  // ss-pid names the session only when it is to outlive the browser (ss-opt=perm)
  ctx.http.setCookie(serializeCookie('ss-pid', rememberMe ? session.sessionId : newSessionId(), { maxAgeSeconds: maxAge, secure }));
  ctx.http.setCookie(serializeCookie('ss-opt', rememberMe ? 'perm' : 'temp', { maxAgeSeconds: maxAge, secure }));
  return { ...describe(user), SessionId: session.sessionId };
}

function describe(user: AuthUser): AuthResponse {
  return {
    UserId: String(user.userId),
    UserName: user.userName,
    DisplayName: user.displayName ?? user.userName,
    Roles: [],
    Permissions: [],
    Meta: { Organisation: user.orgName },
  };
}
