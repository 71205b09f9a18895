"""Published nDCG@10 figures for the BEIR collections, shown beside ours in reports.

Sources: Thakur et al. 2021 (BEIR, Table 2); Pyserini 2CR BEIR regressions and its fusion
experiments (docs/experiments-beir-fusion.md, RRF k=60, depth 1000); MTEB results for
all-MiniLM-L6-v2.
"""

PUBLISHED_NDCG10: dict[str, list[tuple[str, float]]] = {
    "scifact": [
        ("BM25, BEIR paper (Elasticsearch)", 0.665),
        ("BM25 flat, Pyserini", 0.679),
        ("all-MiniLM-L6-v2 dense, MTEB", 0.645),
        ("BM25 + BGE-base-en-v1.5, RRF (Pyserini)", 0.742),
    ],
    "nfcorpus": [
        ("BM25, BEIR paper (Elasticsearch)", 0.325),
        ("all-MiniLM-L6-v2 dense, MTEB", 0.316),
        ("BM25 + BGE-base-en-v1.5, RRF (Pyserini)", 0.373),
    ],
}
