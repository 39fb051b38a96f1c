"""bench link: how well evidence suggestions find a feature's customers.

Each BANKING77 intent becomes a roadmap feature: its title from the intent
name, a one-line description written from the name alone (DESCRIPTIONS, not
tuned on the messages). Suggestions (`Roadmap.suggest`, k=50, through
hub.search) are scored against the intent labels: precision@10, and recall@50
beside its ceiling (an intent with more than 50 messages cannot reach 1). The
same-run baseline is the title alone, no description.
"""
from __future__ import annotations

import tempfile
import time
from statistics import mean
from typing import Any

from research_hub.bench.banking import CITATION, banking_workspace
from research_hub.roadmap.evidence import ranked_snippets

DESCRIPTIONS = {
    "Refund_not_showing_up": "A refund I was promised has not appeared in my account yet.",
    "activate_my_card": "Let customers activate a new card themselves in the app.",
    "age_limit": "Explain the minimum age to open an account and who can use it.",
    "apple_pay_or_google_pay": "Support adding the card to Apple Pay or Google Pay.",
    "atm_support": "Help with using the card at cash machines and which ATMs work.",
    "automatic_top_up": "Top up the balance automatically when it runs low.",
    "balance_not_updated_after_bank_transfer": "My balance did not change after a bank transfer came in.",
    "balance_not_updated_after_cheque_or_cash_deposit": "A cheque or cash deposit is not showing in my balance.",
    "beneficiary_not_allowed": "I cannot add or pay a beneficiary; the payee is not allowed.",
    "cancel_transfer": "Let customers cancel a transfer they just sent.",
    "card_about_to_expire": "My card expires soon; how do I get a replacement in time.",
    "card_acceptance": "Where the card is accepted and why some shops refuse it.",
    "card_arrival": "My new card has not arrived in the post yet.",
    "card_delivery_estimate": "Show how long card delivery will take.",
    "card_linking": "Link an existing card to the account in the app.",
    "card_not_working": "The card stopped working and payments fail.",
    "card_payment_fee_charged": "I was charged a fee for paying with my card.",
    "card_payment_not_recognised": "There is a card payment on my account I do not recognise.",
    "card_payment_wrong_exchange_rate": "A card payment abroad used the wrong exchange rate.",
    "card_swallowed": "A cash machine kept (swallowed) my card.",
    "cash_withdrawal_charge": "I was charged a fee for withdrawing cash.",
    "cash_withdrawal_not_recognised": "There is a cash withdrawal I did not make.",
    "change_pin": "Let customers change their card PIN.",
    "compromised_card": "My card details may be stolen or compromised; secure the card.",
    "contactless_not_working": "Contactless payments with the card do not work.",
    "country_support": "Which countries the service and accounts are available in.",
    "declined_card_payment": "My card payment was declined at a shop.",
    "declined_cash_withdrawal": "The cash machine declined my withdrawal.",
    "declined_transfer": "My transfer was declined and did not go through.",
    "direct_debit_payment_not_recognised": "A direct debit was taken that I do not recognise.",
    "disposable_card_limits": "Limits on how often disposable virtual cards can be used.",
    "edit_personal_details": "Let customers change their name, address and personal details.",
    "exchange_charge": "Fees charged for exchanging currency.",
    "exchange_rate": "What exchange rate is used when converting money.",
    "exchange_via_app": "Exchange money between currencies in the app.",
    "extra_charge_on_statement": "An unexpected extra charge appears on my statement.",
    "failed_transfer": "My transfer failed and the money did not arrive.",
    "fiat_currency_support": "Which fiat currencies the account can hold and pay in.",
    "get_disposable_virtual_card": "Get a single-use disposable virtual card for safer online payments.",
    "get_physical_card": "Get a physical card, not only a virtual one.",
    "getting_spare_card": "Order an extra or spare card for the account.",
    "getting_virtual_card": "Create a virtual card for online shopping.",
    "lost_or_stolen_card": "My card is lost or stolen; block it and replace it.",
    "lost_or_stolen_phone": "My phone was lost or stolen; protect the account and app.",
    "order_physical_card": "Order a physical card to be delivered.",
    "passcode_forgotten": "I forgot my app passcode and cannot log in.",
    "pending_card_payment": "A card payment is still pending and not completed.",
    "pending_cash_withdrawal": "A cash withdrawal is still showing as pending.",
    "pending_top_up": "My top-up is still pending and has not reached the balance.",
    "pending_transfer": "A transfer is still pending and has not completed.",
    "pin_blocked": "My PIN is blocked after too many wrong attempts.",
    "receiving_money": "How to receive money into the account from others.",
    "request_refund": "Let customers ask for a refund of a payment.",
    "reverted_card_payment?": "A card payment was reverted or reversed; explain why.",
    "supported_cards_and_currencies": "Which cards and currencies are supported.",
    "terminate_account": "Let customers close their account.",
    "top_up_by_bank_transfer_charge": "Is there a fee for topping up by bank transfer.",
    "top_up_by_card_charge": "Is there a fee for topping up with a card.",
    "top_up_by_cash_or_cheque": "Top up the account with cash or a cheque.",
    "top_up_failed": "My top-up failed.",
    "top_up_limits": "Limits on how much and how often I can top up.",
    "top_up_reverted": "My top-up was reverted and the money went back.",
    "topping_up_by_card": "Add money to the account using a debit or credit card.",
    "transaction_charged_twice": "The same transaction was charged twice.",
    "transfer_fee_charged": "I was charged a fee for a transfer.",
    "transfer_into_account": "Transfer money into my account from another bank.",
    "transfer_not_received_by_recipient": "The recipient has not received the money I transferred.",
    "transfer_timing": "How long a transfer takes to arrive.",
    "unable_to_verify_identity": "I cannot complete identity verification.",
    "verify_my_identity": "Guide customers through verifying their identity.",
    "verify_source_of_funds": "Explain and collect proof of where my money comes from.",
    "verify_top_up": "Verify a top-up made with a card.",
    "virtual_card_not_working": "My virtual card does not work for payments.",
    "visa_or_mastercard": "Is the card a Visa or a Mastercard.",
    "why_verify_identity": "Explain why identity verification is needed.",
    "wrong_amount_of_cash_received": "The cash machine gave me the wrong amount of cash.",
    "wrong_exchange_rate_for_cash_withdrawal": "A cash withdrawal abroad used the wrong exchange rate.",
}


def title(intent: str) -> str:
    words = intent.strip("?").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def score(ranked: list[str], labels: dict[str, str], intent: str, relevant: int) -> tuple[float, float, float]:
    """precision@10, recall@50 and the best recall@50 possible for this intent."""
    hits10 = sum(labels.get(i) == intent for i in ranked[:10])
    hits50 = sum(labels.get(i) == intent for i in ranked[:50])
    return hits10 / 10, hits50 / relevant, min(50, relevant) / relevant


def run(k: int = 50) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-link-") as tmp:
        started = time.perf_counter()
        hub, labels = banking_workspace(tmp)
        ingest_s = time.perf_counter() - started
        try:
            return {**measure(hub, labels, k), "ingest_seconds": round(ingest_s, 1),
                    "data": CITATION}
        finally:
            hub.close()


def measure(hub, labels: dict[str, str], k: int = 50) -> dict[str, Any]:
    from collections import Counter


    counts = Counter(labels.values())
    roadmap = hub.roadmap
    full, base = [], []
    seconds = 0.0
    for intent in sorted(counts):
        f = roadmap.add(title(intent), DESCRIPTIONS.get(intent, ""), feature_id=intent)
        started = time.perf_counter()
        ranked = [s.snippet.snippet_id for s in roadmap.suggest(f.id, k=k, themes=False).snippets]
        seconds += time.perf_counter() - started
        full.append(score(ranked, labels, intent, counts[intent]))
        alone = [s.snippet_id for s, _ in ranked_snippets(hub, title(intent), k, {"role": "participant"})]
        base.append(score(alone, labels, intent, counts[intent]))
    return {
        "intents": len(counts), "snippets": len(labels),
        "missing_descriptions": sorted(set(counts) - set(DESCRIPTIONS)),
        "precision@10": round(mean(p for p, _, _ in full), 3),
        "recall@50": round(mean(r for _, r, _ in full), 3),
        "recall@50 ceiling": round(mean(c for _, _, c in full), 3),
        "baseline title only precision@10": round(mean(p for p, _, _ in base), 3),
        "baseline title only recall@50": round(mean(r for _, r, _ in base), 3),
        "ranking": "hybrid search",
        "suggest_seconds_per_feature": round(seconds / max(1, len(counts)), 3),
    }

