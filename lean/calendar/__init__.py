"""Calendar feeds: each person's due cards, A3 actions and stand-ups, and each team's due cards,
as iCalendar (RFC 5545) addresses that calendar apps subscribe to."""
