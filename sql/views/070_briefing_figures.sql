-- The figures the briefing prints, one definition each: every page (index.html, summary.html) prints
-- these rows and nothing it counts itself, so the same words never give two numbers.
-- One row per figure for all reviews (review_id NULL) and per review:
--   n           - recommendations the figure counts, on the headline statuses (recommendation_status);
--   disputed    - how many of those n rest on a status a later statement contradicts the official
--                 position on (the *_disputed flags, i.e. status_disagreements), on the axis the figure is about;
--   official_n  - the same figure on the official positions only (independent assessments ignored: with
--                 no official statement an axis is at its default, no_response / unknown); NULL where
--                 the figure is not about a status;
--   pct, official_pct - n and official_n as a share of the recommendations in scope (%);
--   view_filter - the briefing table's filter that lists exactly these rows (index.html#<view_filter>),
--                 '' where there is none; its groups are GROUPS in tracker/publish/site/index.py.
-- "Accepted but not implemented" is accepted in any form (status_vocabulary.family = 'accepted': accepted, in
-- principle, partially) with an implementation status that does not close it (status_vocabulary.closes:
-- implemented, superseded; overtaken is not outstanding).
-- Stale ("not heard of for 12 months"): no statement published in the 12 months before `as_at` (the
-- version's publication day on the briefing; current_date in the briefing_figures view), as
-- stale_recommendations (040) rules.
CREATE OR REPLACE MACRO briefing_figures_on(as_at) AS TABLE
WITH defaults AS (
    SELECT any_value(status) FILTER (WHERE axis = 'response') AS response_default,
           any_value(status) FILTER (WHERE axis = 'implementation') AS implementation_default
    FROM status_vocabulary
    WHERE is_default
),
statuses AS (
    SELECT
        s.review_id,
        s.response_status AS response,
        s.implementation_status AS implementation,
        coalesce(s.official_response_status, f.response_default) AS official_response,
        coalesce(s.official_implementation_status, f.implementation_default) AS official_implementation,
        s.response_disputed,
        s.implementation_disputed,
        s.last_evidence_on IS NULL OR s.last_evidence_on < stale_cutoff(as_at) AS stale
    FROM recommendation_status AS s
    CROSS JOIN defaults AS f
),
accepted_forms AS (
    SELECT status FROM status_vocabulary WHERE axis = 'response' AND family = 'accepted'
),
closing AS (
    SELECT status FROM status_vocabulary WHERE axis = 'implementation' AND closes
),
flags AS (
    SELECT
        *,
        response IN (SELECT status FROM accepted_forms) AS accepted,
        official_response IN (SELECT status FROM accepted_forms) AS official_accepted,
        implementation NOT IN (SELECT status FROM closing) AS outstanding,
        official_implementation NOT IN (SELECT status FROM closing) AS official_outstanding
    FROM statuses
),
counted AS (
    SELECT
        review_id,
        count(*) AS tracked,
        count(*) FILTER (WHERE response_disputed OR implementation_disputed) AS any_disputed,
        count(*) FILTER (WHERE accepted) AS accepted,
        count(*) FILTER (WHERE accepted AND response_disputed) AS accepted_disputed,
        count(*) FILTER (WHERE official_accepted) AS official_accepted,
        count(*) FILTER (WHERE response = 'no_response') AS no_response,
        count(*) FILTER (WHERE response = 'no_response' AND response_disputed) AS no_response_disputed,
        count(*) FILTER (WHERE official_response = 'no_response') AS official_no_response,
        count(*) FILTER (WHERE implementation = 'implemented') AS implemented,
        count(*) FILTER (WHERE implementation = 'implemented' AND implementation_disputed) AS implemented_disputed,
        count(*) FILTER (WHERE official_implementation = 'implemented') AS official_implemented,
        count(*) FILTER (WHERE accepted AND outstanding) AS waiting,
        count(*) FILTER (WHERE accepted AND outstanding AND (response_disputed OR implementation_disputed))
            AS waiting_disputed,
        count(*) FILTER (WHERE official_accepted AND official_outstanding) AS official_waiting,
        count(*) FILTER (WHERE implementation = 'in_progress') AS in_progress,
        count(*) FILTER (WHERE implementation = 'in_progress' AND implementation_disputed) AS in_progress_disputed,
        count(*) FILTER (WHERE official_implementation = 'in_progress') AS official_in_progress,
        count(*) FILTER (WHERE implementation = 'unknown') AS unknown,
        count(*) FILTER (WHERE implementation = 'unknown' AND implementation_disputed) AS unknown_disputed,
        count(*) FILTER (WHERE official_implementation = 'unknown') AS official_unknown,
        count(*) FILTER (WHERE stale) AS stale
    FROM flags
    GROUP BY GROUPING SETS ((review_id), ())
),
figures AS (
    SELECT
        review_id,
        tracked,
        unnest([
            {'position': 1, 'figure': 'tracked', 'label': 'recommendations tracked',
             'n': tracked, 'disputed': NULL, 'official_n': tracked, 'view_filter': ''},
            {'position': 2, 'figure': 'accepted', 'label': 'accepted in any form',
             'n': accepted, 'disputed': accepted_disputed, 'official_n': official_accepted,
             'view_filter': 'response=any_accepted'},
            {'position': 3, 'figure': 'no_response', 'label': 'no response yet',
             'n': no_response, 'disputed': no_response_disputed, 'official_n': official_no_response,
             'view_filter': 'response=no_response'},
            {'position': 4, 'figure': 'implemented', 'label': 'implemented',
             'n': implemented, 'disputed': implemented_disputed, 'official_n': official_implemented,
             'view_filter': 'implementation=implemented'},
            {'position': 5, 'figure': 'accepted_not_implemented',
             'label': 'accepted (in any form) but not implemented (superseded left out)',
             'n': waiting, 'disputed': waiting_disputed, 'official_n': official_waiting,
             'view_filter': 'response=any_accepted&implementation=outstanding'},
            {'position': 6, 'figure': 'in_progress', 'label': 'in progress',
             'n': in_progress, 'disputed': in_progress_disputed, 'official_n': official_in_progress,
             'view_filter': 'implementation=in_progress'},
            {'position': 7, 'figure': 'unknown', 'label': 'implementation unknown',
             'n': unknown, 'disputed': unknown_disputed, 'official_n': official_unknown,
             'view_filter': 'implementation=unknown'},
            {'position': 8, 'figure': 'disputed', 'label': 'disputed (a later statement contradicts the official position)',
             'n': any_disputed, 'disputed': any_disputed, 'official_n': NULL, 'view_filter': ''},
            {'position': 9, 'figure': 'stale', 'label': 'not heard of for 12 months',
             'n': stale, 'disputed': NULL, 'official_n': NULL, 'view_filter': ''}
        ], recursive := true)
    FROM counted
),
awaiting AS (
    SELECT NULL AS review_id, NULL AS tracked, 10 AS position, 'awaiting_analyst' AS figure,
           'statements awaiting an analyst' AS label, count(*) AS n, NULL AS disputed, NULL AS official_n,
           '' AS view_filter
    FROM unresolved_statements
)
SELECT
    review_id,
    position,
    figure,
    label,
    n,
    disputed,
    official_n,
    round(100.0 * n / nullif(tracked, 0), 1) AS pct,
    round(100.0 * official_n / nullif(tracked, 0), 1) AS official_pct,
    view_filter
FROM (SELECT * FROM figures UNION ALL BY NAME SELECT * FROM awaiting)
ORDER BY review_id NULLS FIRST, position;

CREATE OR REPLACE VIEW briefing_figures AS
SELECT * FROM briefing_figures_on(current_date);
COMMENT ON VIEW briefing_figures IS 'The figures the briefing prints, one definition each, for all reviews (review_id NULL) and per review: n (on the headline statuses), disputed (how many of n rest on a status contradicted by a later statement, see status_disagreements), official_n and official_pct (the official positions only), pct (share of the recommendations in scope) and view_filter (the briefing table filter that lists the rows). Stale counts from current_date here; the briefing uses briefing_figures_on(its publication day).';
