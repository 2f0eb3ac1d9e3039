import { type ContractMethod, HTTP_ROUTES } from '../../../shared/contract';

/**
 * Whether a call carries the operator's session. The kiosk's own calls (camera frames several times a
 * second, the status poll) do not: they need no operator (loopback or a paired key gives kiosk access),
 * and a session they carried would count as activity, so an operator who walked away from the door
 * tablet would never be signed out by the idle timeout.
 */
export function carriesSession(method: ContractMethod): boolean {
  const route = HTTP_ROUTES[method];
  return route.auth !== 'kiosk' && !route.path.startsWith('/api/v1/kiosk/');
}
