-- Whose word stands on each axis, as it stood on a date (NULL: over all evidence, undated included).
-- Every statement has a stance from its speaker (ranked_evidence, from speaker_vocabulary):
-- official (the owning body, the implementing body, ministers), reported (an independent publisher
-- reporting the owning body's decision) or independent (commentary, press, membership bodies,
-- regulators). Per recommendation and axis this gives two positions:
--   official    - the latest statement in the owner's or a minister's own words; only when there is
--                 none, the latest report of one;
--   independent - the latest independent statement.
-- "Latest" is ranked_evidence's recency (001_ranked_evidence.sql): date, then confidence, analyst over rule.
CREATE OR REPLACE MACRO status_positions_as_at(as_at) AS TABLE
WITH known AS (
    SELECT *
    FROM ranked_evidence
    WHERE as_at IS NULL OR published_on <= as_at
),
ranked AS (
    SELECT
        k.*,
        CASE WHEN k.stance = 'independent' THEN 'independent' ELSE 'official' END AS position,
        row_number() OVER (
            PARTITION BY k.review_id, k.number, k.axis, (k.stance = 'independent')
            ORDER BY (k.stance = 'official') DESC, k.recency
        ) AS rank_in_position
    FROM known AS k
)
SELECT review_id, number, axis, position, status, quote, published_on, source_url, cited_as, speaker, stance
FROM ranked
WHERE rank_in_position = 1;

-- Where a statement outside the official position, published on or after it, gives another status:
-- one row per such statement (undated statements cannot be placed, so they are left out).
CREATE OR REPLACE MACRO status_disagreements_as_at(as_at) AS TABLE
WITH official AS (
    SELECT * FROM status_positions_as_at(as_at) WHERE position = 'official'
),
others AS (
    SELECT *
    FROM ranked_evidence
    WHERE (as_at IS NULL OR published_on <= as_at) AND stance <> 'official'
)
SELECT
    o.review_id,
    o.number,
    o.axis,
    o.status AS official_status,
    o.published_on AS official_published_on,
    o.cited_as AS official_cited_as,
    o.quote AS official_quote,
    o.source_url AS official_source_url,
    x.status AS other_status,
    x.published_on AS other_published_on,
    x.cited_as AS other_cited_as,
    x.quote AS other_quote,
    x.source_url AS other_source_url,
    x.speaker AS other_speaker
FROM official AS o
JOIN others AS x
    ON x.review_id = o.review_id AND x.number = o.number AND x.axis = o.axis
WHERE x.status <> o.status
  AND x.published_on >= o.published_on
  AND (x.source_url, x.quote) <> (o.source_url, o.quote);
