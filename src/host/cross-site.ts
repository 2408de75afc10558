/**
 * The defence against cross-site request forgery. A browser attaches the session cookie to a
 * request another site makes it send, but only this site's own pages (or a client that is not a
 * browser) can add an Authorization or X-ss-id header, so only requests without either are checked.
 * Such a request that could change state (any verb but GET and HEAD, which run only read
 * operations) must come from this origin: `Sec-Fetch-Site` is `same-origin` or `none` (typed or
 * bookmarked), or, where a browser does not send it, `Origin` is the service's own or one of
 * ALLOWED_ORIGINS. A request with neither header is not from a browser and passes: a form cannot
 * hide both. Sign-in is checked too, so another site cannot sign a person into its own account.
 */
import { Errors } from '../shared/errors.ts';

export interface CrossSiteInputs {
  method: string;
  authorization: string | undefined;
  sessionHeader: string | undefined;
  secFetchSite: string | undefined;
  origin: string | undefined;
  /** the service's own origin, as the request reached it: scheme://host[:port] */
  ownOrigin: string;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Throws 403 `CrossSiteRequest` for a cookie-borne state change another site started. */
export function refuseCrossSite(x: CrossSiteInputs, allowedOrigins: ReadonlySet<string>): void {
  if (safeMethods.has(x.method) || x.authorization || x.sessionHeader) return;
  const site = x.secFetchSite?.toLowerCase();
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    if (x.origin !== undefined && allowedOrigins.has(x.origin.toLowerCase())) return;
    throw Errors.crossSiteRequest(x.origin ?? site);
  }
  if (x.origin === undefined) return;
  const origin = x.origin.toLowerCase();
  if (origin === x.ownOrigin.toLowerCase() || allowedOrigins.has(origin)) return;
  throw Errors.crossSiteRequest(x.origin);
}
