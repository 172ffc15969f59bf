import type { NetworkPath } from './schema/common.ts';

/**
 * Paths on which fly-proxy picks the serving Machine (no region is asked for): anycast (public address,
 * BGP catchment decides the edge) and Flycast (`<app>.flycast`, a private address handled by the proxy of
 * the caller's own region). Their matrix column is the served region; routes and misroute detection apply.
 */
export const ROUTED_PATHS = ['anycast', 'flycast'] as const satisfies readonly NetworkPath[];
export type RoutedPath = (typeof ROUTED_PATHS)[number];

export function isRoutedPath(path: NetworkPath): path is RoutedPath {
  return (ROUTED_PATHS as readonly NetworkPath[]).includes(path);
}
