"""What the hub offers other tools to read: feeds, calendars, a sitemap, linked data, open data."""
