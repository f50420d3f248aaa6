"""actionbot's web page: where an emailed answer link lands (bot.actions.answer_links). Server-rendered HTML
(Jinja2, GOV.UK Design System patterns), no JavaScript, CSRF-checked posts, strict headers, rate limits."""
