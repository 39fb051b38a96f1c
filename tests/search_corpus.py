"""A small real-model corpus for the search tests, written straight into a workspace."""
from __future__ import annotations

I = {"participant": "Interviewer", "speaker": "Interviewer", "role": "interviewer"}


def turn(participant: str, text: str, context: str | None = None, tags=()) -> dict:
    return {"participant": participant, "speaker": participant, "text": text, "context": context,
            "tags": list(tags)}


def ask(text: str) -> dict:
    return {**I, "text": text}


Q_NUMBERS = "How do you get your numbers to your accountant?"
Q_LOGIN = "How do your staff log in?"
Q_MONTH_END = "What slows you down at month end?"

DOCS = [
    {"name": "maria.txt", "title": "Maria interview", "study": "pricing-2024", "date": "2024-03-05",
     "kind": "interview", "snippets": [
         ask(Q_NUMBERS),
         turn("Maria", "Exporting is painful. The CSV export takes forever and then times out.", Q_NUMBERS,
              ["pain_point", "export"]),
         turn("Maria", "Honestly, exporting is painful: the CSV export takes forever and then times out!",
              Q_NUMBERS, ["pain_point", "export"]),
         ask(Q_LOGIN),
         turn("Maria", "We need SSO with Okta; everyone forgets their passwords.", Q_LOGIN,
              ["feature_request"]),
         turn("Maria", "I get error 502 whenever I upload receipts on a Monday morning.", Q_LOGIN, ["bug"]),
         turn("Maria", "The invoice templates look great and my clients compliment them.", Q_LOGIN, ["praise"]),
     ]},
    {"name": "jo.txt", "title": "Jo interview", "study": "pricing-2024", "date": "2024-06-10",
     "kind": "interview", "snippets": [
         ask(Q_MONTH_END),
         turn("Jo", "Getting my data out so the bookkeeper can use it is really slow.", Q_MONTH_END,
              ["pain_point"]),
         turn("Jo", "The mobile app crashes when I photograph a receipt.", Q_MONTH_END, ["bug", "mobile"]),
         turn("Jo", "Single sign-on would make onboarding the team far easier.", Q_MONTH_END),
         turn("Jo", "An error 404 page shows up when I click old report links.", Q_MONTH_END, ["bug"]),
         turn("Jo", "Bank feeds stop syncing every few days and I have to reconnect them.", Q_MONTH_END,
              ["pain_point", "bank_feeds"]),
         turn("Jo", "Reconciling payouts from the card terminal takes me a whole afternoon.", Q_MONTH_END,
              ["pain_point"]),
     ]},
    {"name": "feedback.csv", "title": "Feedback form", "study": "feedback-2025", "date": "2025-01-15",
     "kind": "support", "snippets": [
         turn("P01", "Recurring invoices would save me an hour every week.", tags=["feature_request"]),
         turn("P02", "Please add a dark mode for late night bookkeeping."),
         turn("P03", "The tax report numbers did not match my spreadsheet.", tags=["bug"]),
         turn("P04", "Sending reminders for overdue invoices should be automatic."),
         turn("P05", "Your support team answered within minutes, thank you."),
         turn("P06", "Downloading my yearly statements as a file takes ages.", tags=["pain_point"]),
         turn("P07", "Mileage tracking on the phone drains my battery."),
         turn("P08", "I cannot find where to change the currency on a quote."),
         turn("P09", "Multi-currency invoices are a must for my European clients."),
         turn("P10", "The receipt scanner misreads handwritten totals."),
         turn("P11", "Logging in with Google would be handy for my staff."),
         turn("P12", "The dashboard loads slowly on my old laptop."),
     ]},
]
