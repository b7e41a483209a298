// "Request access": an account and a permission set picked from the catalog, a duration within the rule's maximum and
// a justification, submitted by name (DESIGN.md, "Submitting by name"). Before submitting it says who will be asked and
// how many approvals are needed, from the catalog entry that routes the pair. Each fill of the form has its own
// Idempotency-Key, so a double click (or a retry after a lost answer) submits once; any change makes a new fill.
import type { RequestView } from '../../functions/requests/model.js';
import { ApiError, callJson } from '../shared/api.js';
import { byId, el } from '../shared/dom.js';
import { announce, clearError, showError } from '../shared/messages.js';
import { type CatalogChoices, type SsoEntry, durationInWords, listInWords } from './catalogChoices.js';
import { combobox } from './combobox.js';
import { type FieldErrors, fieldErrors } from './fieldErrors.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from '../../functions/actions/actionNames.js';

/** What the form suggests before a person types a duration, if the rule allows that long. */
const SUGGESTED_MINUTES = 60;
/** The API's limit (DESIGN.md: 1–1024). The form counts toward it but leaves the refusal to the API. */
const JUSTIFICATION_LIMIT = 1024;

export interface SubmittedRequest {
  requestId: string;
  status: string;
  summary: string;
}

export interface RequestForm {
  /** Fills the pickers from the catalog (after sign-in, or when it is fetched again). */
  load(choices: CatalogChoices): void;
  /** "Ask again": the form filled from an earlier request, focus on it. False when the catalog no longer offers it. */
  fillFrom(request: RequestView): boolean;
  reset(): void;
}

const newKey = (): string => crypto.randomUUID();

/** Turns an API refusal into messages at the fields it names, and the rest into the page's alert. */
const showRefusal = (error: unknown, errors: FieldErrors, title: string) => {
  if (!(error instanceof ApiError)) {
    showError('Could not reach the API', error instanceof Error ? error.message : String(error));
    return;
  }
  const unowned = errors.show(error.details);
  if (unowned.length > 0 || error.details.length === 0) {
    showError(title, `${error.message} (HTTP ${error.status})`, unowned);
  } else {
    announce(`${title}: see the fields marked in error.`);
  }
};

export const requestForm = (options: { onSubmitted(request: SubmittedRequest): void }): RequestForm => {
  const form = byId<HTMLFormElement>('request-form');
  const duration = byId<HTMLInputElement>('duration');
  const durationHint = byId<HTMLElement>('duration-hint');
  const justification = byId<HTMLTextAreaElement>('justification');
  const justificationCount = byId<HTMLElement>('justification-count');
  const preview = byId<HTMLElement>('ask-preview');
  const submit = byId<HTMLButtonElement>('request-submit');
  const errors = fieldErrors({
    account: ['parameters.TargetId', 'parameters.AccountId'],
    'permission-set': ['parameters.PermissionSetName', 'parameters.PermissionSetArn'],
    duration: ['durationMinutes'],
    justification: ['justification'],
  });
  let choices: CatalogChoices | undefined;
  let idempotencyKey = newKey();
  let sending = false;

  const entry = (): SsoEntry | undefined => {
    const account = accounts.picked();
    const permissionSet = permissionSets.picked();
    return account && permissionSet && choices ? choices.entryFor(account.key, permissionSet.key) : undefined;
  };

  const showPreview = () => {
    const chosen = entry();
    if (!chosen) {
      preview.replaceChildren(
        el('p', 'muted', 'Choose an account and a permission set to see who will be asked to approve.'),
      );
      duration.removeAttribute('max');
      durationHint.textContent = 'In minutes. The longest allowed depends on the account and permission set.';
      return;
    }
    duration.max = String(chosen.maxDurationMinutes);
    durationHint.textContent = `In minutes, from 1 to ${chosen.maxDurationMinutes} (${durationInWords(chosen.maxDurationMinutes)}). Access ends by itself after this time.`;
    if (!duration.value) duration.value = String(Math.min(SUGGESTED_MINUTES, chosen.maxDurationMinutes));
    if (!chosen.approvalRequired) {
      preview.replaceChildren(
        el(
          'p',
          '',
          el('strong', '', 'Approved at once by policy: '),
          'nobody needs to approve it. It is still recorded and audited.',
        ),
      );
      return;
    }
    const needed = chosen.minApprovals === 1 ? '1 approval is needed' : `${chosen.minApprovals} approvals are needed`;
    const from =
      chosen.approvers.length === 1
        ? ''
        : chosen.minApprovals === 1
          ? ' (any one of them)'
          : ` (from ${chosen.minApprovals} different people)`;
    preview.replaceChildren(
      el('p', '', el('strong', '', 'Who will be asked: '), listInWords(chosen.approvers), '.'),
      el('p', '', `${needed}${from}.`),
    );
  };

  const narrow = () => {
    if (!choices) return;
    const account = accounts.picked();
    const permissionSet = permissionSets.picked();
    permissionSets.setChoices(choices.permissionSets, account ? choices.permissionSetsOn(account.key) : undefined);
    accounts.setChoices(choices.accounts, permissionSet ? choices.accountsWith(permissionSet.key) : undefined);
    showPreview();
  };

  const accounts = combobox({
    id: 'account',
    noun: 'account',
    onPick: () => {
      errors.clear('account');
      narrow();
    },
  });
  const permissionSets = combobox({
    id: 'permission-set',
    noun: 'permission set',
    onPick: () => {
      errors.clear('permission-set');
      narrow();
    },
  });

  const countJustification = () => {
    justificationCount.textContent = `${justification.value.length} of ${JUSTIFICATION_LIMIT} characters.`;
  };

  // Any change makes a new fill: the same key with a different body would be refused as a conflict.
  form.addEventListener('input', (event) => {
    idempotencyKey = newKey();
    const target = event.target as HTMLElement;
    if (target === duration || target === justification) errors.clear(target.id);
    if (target === justification) countJustification();
  });

  /** What only the browser can know is wrong; the rest (lengths, limits, eligibility) is the API's to say. */
  const checkLocally = (): boolean => {
    errors.clear();
    if (!accounts.picked())
      errors.set('account', accounts.input.value ? 'Pick an account from the list.' : 'Choose an account.');
    if (!permissionSets.picked())
      errors.set(
        'permission-set',
        permissionSets.input.value ? 'Pick a permission set from the list.' : 'Choose a permission set.',
      );
    const minutes = Number(duration.value);
    if (duration.value === '' || !Number.isInteger(minutes) || minutes < 1)
      errors.set('duration', 'Enter a whole number of minutes, 1 or more.');
    if (!justification.value.trim()) errors.set('justification', 'Say why you need this access.');
    return !errors.focusFirst();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    clearError();
    if (!checkLocally()) {
      announce('The request was not sent: see the fields marked in error.');
      return;
    }
    const account = accounts.picked();
    const permissionSet = permissionSets.picked();
    if (!account || !permissionSet) return;
    sending = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    announce('Sending your request…');
    try {
      const created = await callJson<SubmittedRequest>('requests', {
        method: 'POST',
        headers: { 'idempotency-key': idempotencyKey },
        body: {
          action: SSO_ACTION,
          parameters: { TargetId: account.key, PermissionSetName: permissionSet.key },
          justification: justification.value,
          durationMinutes: Number(duration.value),
        },
      });
      const label = `${permissionSet.label} on ${account.label}`;
      reset();
      announce(`Requested ${label}. It is listed under My requests.`);
      options.onSubmitted(created);
    } catch (error) {
      showRefusal(error, errors, 'The request was not accepted');
    } finally {
      sending = false;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  const reset = () => {
    accounts.clear();
    permissionSets.clear();
    duration.value = '';
    justification.value = '';
    countJustification();
    errors.clear();
    idempotencyKey = newKey();
    showPreview();
  };

  return {
    load(loaded) {
      choices = loaded;
      narrow();
      countJustification();
    },
    fillFrom(request) {
      if (!choices) return false;
      errors.clear();
      clearError();
      accounts.clear();
      permissionSets.clear();
      const permissionSetName =
        request.display?.permissionSet?.name ??
        choices.permissionSets.find((c) => c.detail === request.parameters.PermissionSetArn)?.key;
      const offered =
        accounts.pick(request.targetId) && permissionSetName !== undefined && permissionSets.pick(permissionSetName);
      duration.value = request.durationMinutes === undefined ? '' : String(request.durationMinutes);
      justification.value = request.justification;
      countJustification();
      idempotencyKey = newKey();
      showPreview();
      const chosen = entry();
      if (chosen && Number(duration.value) > chosen.maxDurationMinutes) {
        errors.set('duration', `The longest allowed now is ${chosen.maxDurationMinutes} minutes.`);
      }
      if (!offered) {
        errors.set(
          accounts.picked() ? 'permission-set' : 'account',
          'What this request asked for is no longer offered to you. Choose again.',
        );
      }
      byId<HTMLElement>('request-heading').scrollIntoView({ block: 'start' });
      (errors.focusFirst() ? undefined : accounts.input)?.focus();
      announce(offered ? 'The form is filled from your earlier request. Check it and send it.' : '');
      return offered;
    },
    reset,
  };
};

/** The Proton entry: each PENDING connection the person may accept, with its own justification and button. */
export const protonRequests = (options: { onSubmitted(request: SubmittedRequest): void }) => {
  const section = byId<HTMLElement>('proton');
  const list = byId<HTMLElement>('proton-list');
  const summary = byId<HTMLElement>('proton-summary');
  return {
    load(choices: CatalogChoices) {
      section.hidden = choices.connections.length === 0;
      summary.textContent = `Environment account connections (AWS Proton): ${choices.connections.length} pending`;
      list.replaceChildren(
        ...choices.connections.map(({ connection, entry }, index) => {
          const id = `proton-${index}`;
          const name = connection.environmentName ?? connection.id;
          const input = el('textarea', '') as HTMLTextAreaElement;
          input.id = `${id}-justification`;
          input.rows = 2;
          input.setAttribute('aria-describedby', `${id}-hint`);
          const label = el('label', '', 'Justification', el('span', 'visually-hidden', ` for accepting ${name}`));
          label.htmlFor = input.id;
          const error = el('p', 'field-error', '');
          error.id = `${input.id}-error`;
          error.hidden = true;
          const button = el('button', '', 'Request to accept') as HTMLButtonElement;
          button.type = 'submit';
          const who = entry.approvalRequired
            ? `Asks ${listInWords(entry.approvers)}; ${entry.minApprovals === 1 ? '1 approval is' : `${entry.minApprovals} approvals are`} needed.`
            : 'Approved at once by policy.';
          const hint = el('p', 'hint', who);
          hint.id = `${id}-hint`;
          const form = el(
            'form',
            'connection',
            el('h4', '', `Connection for ${name}`),
            el(
              'p',
              'muted',
              `Environment account ${connection.environmentAccountId ?? 'unknown'} · connection ${connection.id}`,
            ),
            label,
            input,
            hint,
            error,
            el('div', 'actions', button),
          ) as HTMLFormElement;
          form.noValidate = true;
          const errors = fieldErrors({ [input.id]: ['justification', 'parameters.id'] });
          let key = newKey();
          input.addEventListener('input', () => {
            key = newKey();
            errors.clear();
          });
          form.addEventListener('submit', async (event) => {
            event.preventDefault();
            if (button.disabled) return;
            clearError();
            errors.clear();
            if (!input.value.trim()) {
              errors.set(input.id, 'Say why this connection should be accepted.');
              input.focus();
              return;
            }
            button.disabled = true;
            try {
              const created = await callJson<SubmittedRequest>('requests', {
                method: 'POST',
                headers: { 'idempotency-key': key },
                body: {
                  action: 'proton:AcceptEnvironmentAccountConnection',
                  parameters: { id: connection.id },
                  justification: input.value,
                },
              });
              input.value = '';
              key = newKey();
              announce(`Requested acceptance of the connection for ${name}.`);
              options.onSubmitted(created);
            } catch (error) {
              showRefusal(error, errors, 'The request was not accepted');
            } finally {
              button.disabled = false;
            }
          });
          return el('li', '', form);
        }),
      );
    },
  };
};
