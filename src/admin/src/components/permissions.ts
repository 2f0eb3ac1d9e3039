/** What the signed-in operator's role may do (roleMay), for screens that hide what it may not. */
import { type HubPermission, roleMay } from '../../../shared/hub-admin';
import { useSession } from '../session';

/** Whether the signed-in operator may do `what`; false when nobody is signed in. */
export function useMay(what: HubPermission): boolean {
  return useSession((s) => s.state.status === 'signed-in' && roleMay(s.state.session.operator.role, what));
}
