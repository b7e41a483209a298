// A stand-in for the access page, used only while serverless.yml has no `GET /` route (the page is built on branch
// h-access): what the real page does for its first render and nothing else. It reads the session's token, fetches
// /catalog with it, fills an account picker and a permission-set picker (text nodes only), then sets the same
// signals the real page sets: performance.mark('access:catalog-rendered') and body[data-catalog="ready"].
// Its figures measure the stack and Chromium, never the page; the scenario labels them as the stand-in's.

export const standInPage = (tokenKey: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access (bench stand-in)</title></head>
<body>
<main>
  <label>Account <select id="account"></select></label>
  <label>Permission set <select id="permission-set"></select></label>
</main>
<script type="module">
const token = sessionStorage.getItem(${JSON.stringify(tokenKey)});
const fill = (select, items, label) => {
  const fragment = document.createDocumentFragment();
  for (const item of items) {
    const option = document.createElement('option');
    option.value = item.id ?? item.arn;
    option.textContent = label(item);
    fragment.append(option);
  }
  select.replaceChildren(fragment);
};
try {
  const response = await fetch('/catalog', { headers: { authorization: 'Bearer ' + token } });
  if (!response.ok) throw new Error('GET /catalog: HTTP ' + response.status);
  const catalog = await response.json();
  const sso = catalog.entries.filter((entry) => entry.action === 'sso:CreateAccountAssignment');
  const accounts = new Map(sso.flatMap((entry) => entry.accounts).map((a) => [a.id, a]));
  const sets = new Map(sso.flatMap((entry) => entry.permissionSets).map((s) => [s.arn, s]));
  fill(document.getElementById('account'), accounts.values(), (a) => a.name + ' (' + a.id + ')');
  fill(document.getElementById('permission-set'), sets.values(), (s) => s.name);
  performance.mark('access:catalog-rendered');
  document.body.dataset.catalog = 'ready';
} catch (error) {
  document.body.dataset.catalog = 'error';
  document.body.append(String(error));
}
</script>
</body></html>
`;
