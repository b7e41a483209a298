// Best-effort follow-ups after an answer is decided (message refreshes, private replies) must never hold the answer
// past its deadline: Slack drops an ack after 3 s, and a page shows an error for a decision that was recorded.
/**
 * Waits for `work` at most `budgetMs`. Work still running afterwards is not cancelled, only no longer awaited;
 * its own error handling must cover it. Returns whether it finished in time.
 */
export const settleWithin = async (work: Promise<unknown>, budgetMs: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), budgetMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
};
