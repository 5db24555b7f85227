import type { EndpointStatus, Finding } from '../model';
import type { EngineContext } from './context';
import { nowIso } from './context';

/**
 * Per-endpoint statuses of a finding (DefectDojo's `Endpoint_Status`, or its
 * `LocationFindingReference` with `V3_FEATURE_LOCATIONS`, the 3.2 default). Endpoints are the
 * URL strings the finding lists and are compared as strings, as the finding's endpoint list is.
 * Findings without endpoints carry no list at all, so SAST findings cost nothing.
 */

/** A fresh, open status for an endpoint, as DefectDojo creates one when attaching it. */
function openStatus(endpoint: string): EndpointStatus {
  return { endpoint, mitigated: false, mitigatedTime: null, mitigatedBy: null, falsePositive: false, outOfScope: false, riskAccepted: false };
}

/** Statuses for a new finding's endpoints: one per distinct endpoint, all open; undefined for none. */
export function newEndpointStatuses(endpoints: readonly string[]): EndpointStatus[] | undefined {
  if (endpoints.length === 0) return undefined;
  return [...new Set(endpoints)].map(openStatus);
}

/**
 * The finding's statuses, created open for every listed endpoint that has none yet (findings
 * stored before statuses were kept, or endpoints added by a refresh). Returns an empty list,
 * without storing one, when the finding has no endpoints.
 */
export function endpointStatusesOf(f: Finding): EndpointStatus[] {
  if (f.endpoints.length === 0 && !f.endpointStatus) return [];
  const statuses = f.endpointStatus ?? [];
  const known = new Set(statuses.map((s) => s.endpoint));
  for (const e of f.endpoints) {
    if (known.has(e)) continue;
    known.add(e);
    statuses.push(openStatus(e));
  }
  f.endpointStatus = statuses;
  return statuses;
}

/** FP, out of scope or risk accepted: statuses DefectDojo's location manager leaves alone. */
function isSpecial(s: EndpointStatus): boolean {
  return s.falsePositive || s.outOfScope || s.riskAccepted;
}

function mitigateStatus(s: EndpointStatus, now: string, user: string): void {
  // Only statuses still open are mitigated, so a first mitigation keeps its time and author.
  if (s.mitigated) return;
  s.mitigated = true;
  s.mitigatedTime = now;
  s.mitigatedBy = user;
}

function reactivateStatus(s: EndpointStatus): void {
  if (!s.mitigated) return;
  s.mitigated = false;
  s.mitigatedTime = null;
  s.mitigatedBy = null;
}

/**
 * §3.5 `mitigate_finding`: every status of the finding not yet mitigated is mitigated now by
 * the acting user.
 */
export function mitigateEndpointStatuses(f: Finding, ctx: EngineContext): void {
  const statuses = endpointStatusesOf(f);
  if (statuses.length === 0) return;
  const now = nowIso(ctx);
  for (const s of statuses) mitigateStatus(s, now, ctx.user);
}

/**
 * §4.4 B.3: a reactivated finding's statuses are reactivated, except those marked false
 * positive, out of scope or risk accepted.
 */
export function reactivateEndpointStatuses(f: Finding): void {
  for (const s of endpointStatusesOf(f)) if (!isSpecial(s)) reactivateStatus(s);
}

/**
 * §4.5 for a matched dynamic finding (DefectDojo's `update_location_status`): statuses marked
 * false positive, out of scope or risk accepted are left alone; of the others, all are
 * mitigated when the report closed the finding, otherwise those whose endpoint the report no
 * longer lists are mitigated and those it lists again are reactivated. Runs before the report's
 * new endpoints are attached, as in DefectDojo.
 */
export function updateEndpointStatusesFromReport(existing: Finding, incoming: Finding, ctx: EngineContext): void {
  const statuses = endpointStatusesOf(existing);
  if (statuses.length === 0) return;
  const now = nowIso(ctx);
  const reported = incoming.isMitigated ? null : new Set(incoming.endpoints);
  for (const s of statuses) {
    if (isSpecial(s)) continue;
    if (reported === null || !reported.has(s.endpoint)) mitigateStatus(s, now, ctx.user);
    else reactivateStatus(s);
  }
}

/**
 * §4.5: the report's endpoints the finding does not list yet are attached with an open status;
 * endpoints already attached keep their status, and none is ever removed.
 */
export function attachEndpoints(existing: Finding, incoming: Finding): void {
  if (incoming.endpoints.length === 0) return;
  const statuses = endpointStatusesOf(existing);
  const known = new Set(statuses.map((s) => s.endpoint));
  for (const e of incoming.endpoints) {
    if (!existing.endpoints.includes(e)) existing.endpoints.push(e);
    if (known.has(e)) continue;
    known.add(e);
    statuses.push(openStatus(e));
  }
  existing.endpointStatus = statuses;
}
