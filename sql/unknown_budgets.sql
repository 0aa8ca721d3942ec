-- A run's unknown budgets, for its report and its `evaluation.completed` event: for every
-- environment the policy gives a budget (`policy_budgets`), the unknown findings of the run
-- (`current_findings`) that gate (verdict not PASS), and where that count stands.
SELECT b.environment,
       coalesce(n.unknown, 0) AS unknown,
       b.max_unknown,
       b.warn_threshold,
       unknown_budget(coalesce(n.unknown, 0), b.max_unknown, b.warn_threshold) AS state
FROM policy_budgets b
LEFT JOIN (
    SELECT environment, count(*) AS unknown
    FROM current_findings
    WHERE unknown AND verdict <> 'PASS'
    GROUP BY environment
) n ON b.environment = n.environment
ORDER BY b.environment;
