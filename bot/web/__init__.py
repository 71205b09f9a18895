"""Web: the Flask app factory, pages, the JSON API, OpenAPI and the production server.

Templates and static files live in the top-level `web/` folder. May import: `bot.config`,
`bot.library`, `bot.search`, `bot.answer`. Only `bot.cli` imports this stage.
"""
