-- Per publisher (publications.source): documents held, documents that gave status evidence, evidence
-- rows, reviews and recommendations covered, and the first and last evidence dates. Evidence is
-- matched to its publisher by status_evidence.source_url = publications.url; evidence whose URL is not
-- a parsed publication (e.g. an analyst correction citing another page) is counted under 'unmatched'.
CREATE OR REPLACE VIEW evidence_by_publisher AS
WITH documents AS (
    SELECT
        source,
        count(*) AS documents,
        count(*) FILTER (WHERE relevant) AS relevant_documents
    FROM publications
    GROUP BY source
),
evidence AS (
    SELECT
        coalesce(p.source, 'unmatched') AS source,
        count(DISTINCT e.source_url) AS documents_with_evidence,
        count(*) AS evidence_rows,
        count(DISTINCT e.review_id) AS reviews_covered,
        string_agg(DISTINCT e.review_id, ', ' ORDER BY e.review_id) AS review_ids,
        count(DISTINCT (e.review_id, e.number)) AS recommendations_covered,
        min(e.published_on) AS first_evidence_on,
        max(e.published_on) AS last_evidence_on
    FROM status_evidence AS e
    LEFT JOIN publications AS p
        ON p.url = e.source_url
    GROUP BY coalesce(p.source, 'unmatched')
)
SELECT
    coalesce(d.source, v.source) AS source,
    coalesce(d.documents, 0) AS documents,
    coalesce(d.relevant_documents, 0) AS relevant_documents,
    coalesce(v.documents_with_evidence, 0) AS documents_with_evidence,
    coalesce(v.evidence_rows, 0) AS evidence_rows,
    coalesce(v.reviews_covered, 0) AS reviews_covered,
    v.review_ids,
    coalesce(v.recommendations_covered, 0) AS recommendations_covered,
    v.first_evidence_on,
    v.last_evidence_on
FROM documents AS d
FULL OUTER JOIN evidence AS v
    ON v.source = d.source
ORDER BY source;
COMMENT ON VIEW evidence_by_publisher IS 'Per publisher (publications.source): documents held and relevant, documents with status evidence, evidence rows, reviews (and which) and recommendations covered, first and last evidence date. Evidence whose source_url is not a parsed publication counts under unmatched.';
