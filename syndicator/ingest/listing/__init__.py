"""News listing pages read as a source: portals without a working feed (issue #13).

Pure functions over fetched bytes: `extract.parse_listing` (selectors → ParsedFeed),
`article.article_facts` (an article page's Open Graph tags), `infer.infer_selectors`.
"""
