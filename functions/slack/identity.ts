// Who a person is in Slack, and who a Slack user is here (DESIGN.md, "Slack, second stage"). Policy's
// `people[].slackUserId` decides where it is given. Approvers expanded from an Identity Center group are rarely listed
// there, so with a bot token the approver id (their email) is looked up with users.lookupByEmail, and a click from a
// Slack user not in `people` is mapped back through users.info and the profile's email. Both answers are cached per
// warm function: a person's Slack account seldom changes, and Slack rate-limits these methods (Tier 3-4).
import type { Person } from '../policy/policy.js';
import { type SlackUsersApi, SlackApiError } from '../notifications/slackWebApi.js';
import type { Clock } from '../shared/clock.js';
import { NotAnApproverError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

/** How long a found Slack account is trusted before it is looked up again. */
export const FOUND_TTL_MS = 60 * 60 * 1000;
/** How long "no such Slack user" stands: short, so someone who just joined Slack is found soon. */
export const NOT_FOUND_TTL_MS = 5 * 60 * 1000;
/**
 * The longest a click waits on users.info: Slack gives the whole interaction 3 s, and the decision and the ack still
 * need their share. A slower answer refuses the click (the approval link still works), and is cached when it comes.
 */
export const CLICK_LOOKUP_BUDGET_MS = 1000;

const NOT_LINKED = 'Your Slack account is not linked to anyone in the approval policy';

export interface SlackIdentity {
  /** The Slack user id to message this person at, or undefined when they have none we can find. */
  slackUserIdFor(personId: string): Promise<string | undefined>;
  /** The person (approver id) this Slack user is; NotAnApproverError when they cannot be mapped. */
  personForSlackUser(slackUserId: string): Promise<string>;
}

export interface SlackIdentityDeps {
  people: readonly Person[];
  /** Slack's users methods, present only when a bot token is configured. */
  users?: SlackUsersApi['users'];
  clock: Clock;
  clickLookupBudgetMs?: number;
}

// A plain shape check: only something that looks like an email is worth asking Slack about.
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A small cache whose entries end; `undefined` as a value means "looked up, not found". */
const ttlCache = (clock: Clock) => {
  const entries = new Map<string, { value: string | undefined; until: number }>();
  return {
    get(key: string): { value: string | undefined } | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= clock.now().getTime()) {
        entries.delete(key);
        return undefined;
      }
      return { value: entry.value };
    },
    set(key: string, value: string | undefined): void {
      entries.set(key, {
        value,
        until: clock.now().getTime() + (value === undefined ? NOT_FOUND_TTL_MS : FOUND_TTL_MS),
      });
    },
  };
};

const isSlackError = (error: unknown, code: string): boolean => error instanceof SlackApiError && error.error === code;

/** Resolves with the work's value, or with `onTimeout` once `budgetMs` has passed; the work is not cancelled. */
const within = async <T>(work: Promise<T>, budgetMs: number, onTimeout: () => T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), budgetMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export const createSlackIdentity = (deps: SlackIdentityDeps): SlackIdentity => {
  const slackIds = ttlCache(deps.clock);
  const persons = ttlCache(deps.clock);
  const budgetMs = deps.clickLookupBudgetMs ?? CLICK_LOOKUP_BUDGET_MS;

  const listedFor = (personId: string): string | undefined => deps.people.find((p) => p.id === personId)?.slackUserId;

  const lookUpByEmail = async (users: SlackUsersApi['users'], email: string): Promise<string | undefined> => {
    try {
      const { user } = await users.lookupByEmail({ email });
      const id = user && !user.deleted && typeof user.id === 'string' && user.id !== '' ? user.id : undefined;
      slackIds.set(email, id);
      if (!id) logger.warn('Slack account of approver is deactivated; no Slack message', { recipient: email });
      return id;
    } catch (error) {
      if (isSlackError(error, 'users_not_found')) {
        slackIds.set(email, undefined);
        logger.warn('No Slack user has the approver email; no Slack message', { recipient: email });
        return undefined;
      }
      // Not cached: a failing or rate-limited Slack may answer next time.
      logger.error('Looking up a Slack user by email failed', {
        recipient: email,
        errorName: (error as Error).name,
        ...(error instanceof SlackApiError ? { slackError: error.error } : {}),
      });
      return undefined;
    }
  };

  const emailOfSlackUser = async (users: SlackUsersApi['users'], slackUserId: string): Promise<string | undefined> => {
    try {
      const { user } = await users.info({ user: slackUserId });
      const email = user?.profile?.email;
      const usable = user && !user.deleted && !user.is_bot && typeof email === 'string' && EMAIL.test(email);
      const person = usable ? email.toLowerCase() : undefined;
      persons.set(slackUserId, person);
      return person;
    } catch (error) {
      if (isSlackError(error, 'user_not_found')) {
        persons.set(slackUserId, undefined);
        return undefined;
      }
      throw error;
    }
  };

  return {
    async slackUserIdFor(personId) {
      const listed = listedFor(personId);
      if (listed) return listed;
      if (!deps.users || !EMAIL.test(personId)) return undefined;
      const cached = slackIds.get(personId);
      if (cached) return cached.value;
      return lookUpByEmail(deps.users, personId);
    },

    async personForSlackUser(slackUserId) {
      const matches = deps.people.filter((p) => p.slackUserId === slackUserId);
      // A Slack id listed twice would let one person decide as someone else; refuse rather than guess.
      if (matches.length > 1)
        throw new NotAnApproverError('Your Slack account is linked to more than one person in the approval policy');
      const [listed] = matches;
      if (listed) return listed.id;
      if (!deps.users) throw new NotAnApproverError(NOT_LINKED);
      const cached = persons.get(slackUserId);
      let person: string | undefined;
      if (cached) person = cached.value;
      else {
        const TIMED_OUT = Symbol('timed out');
        const found = await within<string | undefined | typeof TIMED_OUT>(
          emailOfSlackUser(deps.users, slackUserId).catch((error: unknown) => {
            logger.error('Looking up a Slack user failed', {
              slackUserId,
              errorName: (error as Error).name,
              ...(error instanceof SlackApiError ? { slackError: error.error } : {}),
            });
            return TIMED_OUT;
          }),
          budgetMs,
          () => TIMED_OUT,
        );
        if (found === TIMED_OUT)
          throw new NotAnApproverError(
            'Your Slack account could not be matched to a person just now; try again, or use the approval link',
          );
        person = found;
      }
      if (!person) throw new NotAnApproverError(NOT_LINKED);
      // Policy names this person's Slack account, and it is another one: the profile email does not override policy.
      const listedId = listedFor(person);
      if (listedId && listedId !== slackUserId)
        throw new NotAnApproverError('Your Slack account is not the one the approval policy lists for your email');
      return person;
    },
  };
};
