// The action names that code outside the action modules must know: the catalog, the directory check and Slack's
// `/access` modal handle Identity Center assignments specially. A module of names only, so the browser bundle and a
// Slack function can use it without bundling the action's schema and summary.
export const SSO_ASSIGNMENT_ACTION = 'sso:CreateAccountAssignment';
