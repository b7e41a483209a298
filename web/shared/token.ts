// Where the bearer token lives: sessionStorage only, so it ends with the tab and the browser never sends it on its
// own. One key for every page of this origin, so signing in on one page signs you in on the others in the same tab.
// (Its name dates from when the audit page was the only page; renaming it would sign everyone out once.)
export const TOKEN_KEY = 'access-approvals.audit.token';

export const readToken = (): string | null => {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
};

export const storeToken = (token: string): void => {
  sessionStorage.setItem(TOKEN_KEY, token);
};

export const forgetToken = (): void => {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage blocked: nothing was kept.
  }
};
