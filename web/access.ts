// The access page's browser module (GET /): sign in, then ask for access from the catalog, follow one's own requests
// and decide those waiting for one's approval. The page holds no data of its own: every list comes from the HTTP API
// with the person's bearer token, so the API's authorization is the only authorization there is.
import { ApiError, callJson } from './shared/api.js';
import { byId } from './shared/dom.js';
import { announce, showError } from './shared/messages.js';
import { startSession } from './shared/session.js';
import { type Catalog, catalogChoices } from './access/catalogChoices.js';
import { myRequests } from './access/myRequests.js';
import { poller } from './access/poller.js';
import { protonRequests, requestForm } from './access/requestForm.js';
import { waitingForMe } from './access/waitingForMe.js';

/** Between refreshes: modest when nothing of the person's is moving, brisk while something is. */
const IDLE_MS = 10_000;
const MOVING_MS = 2_000;

const accessArea = byId<HTMLElement>('access');
const catalogState = byId<HTMLElement>('catalog-state');
const requestFormElement = byId<HTMLFormElement>('request-form');

const mine = myRequests({ onAskAgain: (request) => form.fillFrom(request) });
const waiting = waitingForMe();
const refreshAll = async (): Promise<boolean> => {
  // Each list shows its own failure; one failing does not keep the other from showing, or from setting the pace.
  const [own, waitingOnMe] = await Promise.allSettled([mine.refresh(), waiting.refresh()]);
  const refused = [own, waitingOnMe].find(
    (result) => result.status === 'rejected' && result.reason instanceof ApiError && result.reason.status === 401,
  );
  if (refused) session.signOut('Your sign-in was refused or has expired. Sign in again to continue.');
  return own.status === 'fulfilled' && own.value;
};
const poll = poller({ refresh: refreshAll, idleMs: IDLE_MS, movingMs: MOVING_MS });
const afterSubmit = () => void poll.now();
const form = requestForm({ onSubmitted: afterSubmit });
const proton = protonRequests({ onSubmitted: afterSubmit });

let generation = 0;

const loadCatalog = async (): Promise<void> => {
  const mineNow = generation;
  catalogState.textContent = 'Loading what you may request…';
  catalogState.hidden = false;
  try {
    const catalog = await callJson<Catalog>('catalog');
    if (mineNow !== generation) return;
    // The API's own name for the caller, which is what the requester and approver filters compare with.
    mine.setIdentity(catalog.identity.id);
    waiting.setIdentity(catalog.identity.id);
    const choices = catalogChoices(catalog);
    form.load(choices);
    proton.load(choices);
    const offered = choices.accounts.length > 0 || choices.connections.length > 0;
    requestFormElement.hidden = choices.accounts.length === 0;
    catalogState.textContent = offered
      ? ''
      : 'There is nothing you may request: no approval rule admits you. Ask your administrator if you need access.';
    catalogState.hidden = offered;
    performance.mark('access:catalog-rendered');
    document.body.dataset.catalog = 'ready';
  } catch (error) {
    if (mineNow !== generation) return;
    if (error instanceof ApiError && error.status === 401) {
      session.signOut('Your sign-in was refused or has expired. Sign in again to continue.');
      return;
    }
    catalogState.textContent = 'What you may request could not be loaded.';
    showError('The catalog could not be loaded', error instanceof Error ? error.message : String(error));
  }
};

const session = startSession({
  onSignedIn(_token, identity, how) {
    generation += 1;
    accessArea.hidden = false;
    // After a sign-in on the page's own forms, focus goes to what it gave access to.
    if (how === 'signed-in') byId('request-heading').focus();
    // The token's own identity until the catalog says how the API names the caller (the same claim: email, else sub).
    mine.setIdentity(identity);
    waiting.setIdentity(identity);
    poll.start();
    void loadCatalog();
  },
  onSignedOut() {
    generation += 1;
    poll.stop();
    mine.clear();
    waiting.clear();
    form.reset();
    accessArea.hidden = true;
    // Nothing of this person's catalog stays for the next one to see before theirs loads.
    requestFormElement.hidden = true;
    byId('proton').hidden = true;
    delete document.body.dataset.catalog;
    announce('Signed out.');
  },
});
