"""The demo data set: "Maison Lumière", a fictitious French multi-channel home & decoration retailer.

``parcours demo`` writes its journey map and six months of events, so that a new user gets
a measured journey map in one command. The events come from a small probabilistic model
of each customer, seeded per customer: the same ``seed`` gives the same customers, and
customer ``C000123`` behaves the same whatever ``customers`` is.

>>> m = demo_map()
>>> m.stage_ids()
['discovery', 'consideration', 'purchase', 'post_purchase', 'advocacy']
>>> t = demo_events(customers=20)
>>> t.column_names[:5]
['customer_id', 'timestamp', 'event', 'channel', 'amount']
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml

from parcours.model import JourneyMap, dump_map, map_from_dict

if TYPE_CHECKING:  # pyarrow is imported lazily: `parcours --help` must stay fast
    import pyarrow as pa

__all__ = ["DemoFiles", "INVISIBLE_EVENTS", "PERIOD", "demo_events", "demo_feedback", "demo_map", "write_demo"]

_MAP_YAML = r"""
id: maison_lumiere
name: {fr: "Maison Lumière — parcours client omnicanal", en: "Maison Lumière — omnichannel customer journey"}
description:
  fr: Carte de démonstration (données fictives) d'une enseigne française de décoration vendue sur le site, l'appli et en magasin.
  en: Demo map (fictitious data) of a French home & decoration retailer selling on its website, its app and in stores.
language: fr
source:
  path: events.csv
  format: csv
  columns: {customer: customer_id, time: timestamp, event: event, channel: channel, value: amount}
stages:
  - id: discovery
    name: {fr: Découverte, en: Awareness}
    customer_goals:
      - {fr: Trouver des idées pour sa maison, en: Find ideas for their home}
      - {fr: Découvrir des marques et des styles, en: Discover brands and styles}
    customer_actions:
      - {fr: Voit une publicité ou une publication, en: Sees an ad or a post}
      - {fr: Ouvre la newsletter, en: Opens the newsletter}
      - {fr: Arrive sur le site, en: Lands on the website}
    company_actions:
      - {fr: Campagnes Google et Meta, en: Google and Meta campaigns}
      - {fr: Contenus Instagram et Pinterest, en: Instagram and Pinterest content}
      - {fr: Newsletter hebdomadaire, en: Weekly newsletter}
    owner: Marketing
    target_duration: 1d
  - id: consideration
    name: {fr: Considération, en: Consideration}
    customer_goals:
      - {fr: Comparer les produits, en: Compare products}
      - {fr: Vérifier prix et disponibilité, en: Check prices and availability}
      - {fr: Être conseillé, en: Get advice}
    customer_actions:
      - {fr: Consulte les fiches produit, en: Reads product pages}
      - {fr: Ajoute à sa liste d'envies, en: Adds to their wishlist}
      - {fr: Passe en magasin, en: Drops by a store}
      - {fr: Pose une question au chat, en: Asks a question on the chat}
    company_actions:
      - {fr: Fiches produit avec photos et réalité augmentée, en: Product pages with photos and augmented reality}
      - {fr: Conseillers en magasin et au chat, en: Advisers in store and on the chat}
    owner: E-commerce
    target_duration: 7d
  - id: purchase
    name: {fr: Achat, en: Purchase}
    customer_goals:
      - {fr: Payer simplement, en: Pay easily}
      - {fr: Connaître tôt les frais et la date de livraison, en: Know the delivery fees and date early}
    customer_actions:
      - {fr: Remplit son panier, en: Fills their cart}
      - {fr: Choisit la livraison, en: Chooses the delivery}
      - {fr: Paie en ligne ou en caisse, en: Pays online or at the till}
    company_actions:
      - {fr: Tunnel de commande, en: Checkout flow}
      - {fr: Paiement sécurisé, en: Secure payment}
      - {fr: Confirmation de commande par e-mail, en: Order confirmation by email}
    owner: E-commerce
    target_duration: 1h
  - id: post_purchase
    name: {fr: Livraison & après-vente, en: Delivery & after-sales}
    customer_goals:
      - {fr: Être livré à la date promise, en: Get the order on the promised date}
      - {fr: Obtenir de l'aide vite, en: Get help quickly}
      - {fr: Retourner un article sans effort, en: Return an item effortlessly}
    customer_actions:
      - {fr: Suit sa livraison, en: Tracks the delivery}
      - {fr: Contacte le service client, en: Contacts customer service}
      - {fr: Retourne un article, en: Returns an item}
    company_actions:
      - {fr: Préparation en entrepôt, en: Warehouse picking and packing}
      - {fr: Expédition et suivi, en: Shipping and tracking}
      - {fr: Service client, en: Customer service}
      - {fr: Remboursements, en: Refunds}
    owner: Logistique & service client
    target_duration: 5d
  - id: advocacy
    name: {fr: Fidélisation & recommandation, en: Loyalty & advocacy}
    customer_goals:
      - {fr: Être reconnu comme client fidèle, en: Be recognised as a loyal customer}
      - {fr: Partager ses coups de cœur, en: Share their favourite finds}
    customer_actions:
      - {fr: Laisse un avis, en: Writes a review}
      - {fr: Rejoint le programme de fidélité, en: Joins the loyalty programme}
      - {fr: Parraine un proche, en: Refers a friend}
    company_actions:
      - {fr: Programme de fidélité Lumière+, en: Lumière+ loyalty programme}
      - {fr: Demande d'avis, en: Review requests}
      - {fr: Offre de parrainage, en: Referral offer}
    owner: CRM
    target_duration: 30d
touchpoints:
  - {id: online_ad, name: {fr: Publicité en ligne, en: Online ad}, stage: discovery, channel: ads, owner: Marketing, match: {event: ad_click}}
  - {id: social_post, name: {fr: Publication Instagram / Pinterest, en: Instagram / Pinterest post}, stage: discovery, channel: social, owner: Marketing, match: {event: social_post_click}}
  - {id: newsletter, name: {fr: Newsletter, en: Newsletter}, stage: discovery, channel: email, owner: CRM, match: {event: "newsletter_*"}}
  - {id: landing_page, name: {fr: Page d'atterrissage, en: Landing page}, stage: discovery, channel: web, owner: Marketing, match: {event: landing_page_view}}
  - {id: product_page_web, name: {fr: Fiche produit (site), en: Product page (website)}, stage: consideration, channel: web, owner: E-commerce, match: {event: "product_view*", where: {channel: web}}}
  - {id: product_page_app, name: {fr: Fiche produit (appli), en: Product page (app)}, stage: consideration, channel: app, owner: Équipe appli, match: {event: "product_view*", where: {channel: app}}}
  - {id: wishlist, name: {fr: Liste d'envies, en: Wishlist}, stage: consideration, channel: app, owner: Équipe appli, match: {event: wishlist_add}}
  - {id: store_visit, name: {fr: Visite en magasin, en: Store visit}, stage: consideration, channel: store, owner: Magasins, match: {event: store_visit}}
  - {id: chat_advice, name: {fr: Conseil par chat, en: Chat advice}, stage: consideration, channel: chat, owner: Service client, match: {event: chat_question}}
  - {id: cart, name: {fr: Panier, en: Cart}, stage: purchase, channel: web, owner: E-commerce, match: {event: [add_to_cart, cart_view]}}
  - {id: checkout, name: {fr: Livraison et frais de port, en: Delivery options and fees}, stage: purchase, channel: web, owner: E-commerce, match: {event: [checkout_start, delivery_fees_shown]}}
  - {id: payment, name: {fr: Paiement en ligne, en: Online payment}, stage: purchase, channel: web, owner: E-commerce, match: {event: [payment_start, order_paid], where: {channel: [web, app]}}}
  - {id: store_checkout, name: {fr: Passage en caisse, en: Store checkout}, stage: purchase, channel: store, owner: Magasins, match: {event: order_paid, where: {channel: store}}}
  - {id: order_confirmation, name: {fr: E-mail de confirmation, en: Confirmation email}, stage: purchase, channel: email, owner: CRM, match: {event: order_confirmation_email}}
  - id: order_preparation
    name: {fr: Préparation de commande, en: Order preparation}
    description: {fr: "Événement du système de l'entrepôt, invisible du client.", en: "Event from the warehouse system, unseen by the customer."}
    stage: post_purchase
    lane: backstage
    owner: Logistique
    match: {event: order_prepared}
  - {id: delivery_tracking, name: {fr: Suivi de livraison, en: Delivery tracking}, stage: post_purchase, channel: email, owner: Logistique, match: {event: [order_shipped, order_delivered]}}
  - {id: support_phone, name: {fr: Contact service client (téléphone), en: Customer service contact (phone)}, stage: post_purchase, channel: phone, lane: support, owner: Service client, match: {event: support_contact, where: {channel: phone}}}
  - {id: support_chat, name: {fr: Contact service client (chat), en: Customer service contact (chat)}, stage: post_purchase, channel: chat, lane: support, owner: Service client, match: {event: support_contact, where: {channel: chat}}}
  - {id: returns, name: {fr: Retour et remboursement, en: Return and refund}, stage: post_purchase, channel: web, owner: Service client, match: {event: [return_request, refund_issued]}}
  - {id: review, name: {fr: Avis client, en: Customer review}, stage: advocacy, channel: web, owner: CRM, match: {event: review_posted}}
  - {id: loyalty_program, name: {fr: Programme de fidélité Lumière+, en: Lumière+ loyalty programme}, stage: advocacy, channel: app, owner: CRM, match: {event: [loyalty_signup, loyalty_points_view]}}
  - {id: referral, name: {fr: Parrainage, en: Referral}, stage: advocacy, channel: social, owner: CRM, match: {event: referral_share}}
goals:
  - {id: purchase, name: {fr: Achat, en: Purchase}, match: {event: order_paid}}
segments:
  - {id: gold_members, name: {fr: Clients Or, en: Gold members}, where: {loyalty_tier: gold}}
  - {id: new_customers, name: {fr: Nouveaux clients, en: New customers}, where: {customer_type: new}}
  - {id: ile_de_france, name: {fr: Île-de-France, en: Paris region}, where: {region: Île-de-France}}
  - {id: app_users, name: {fr: Utilisateurs de l'appli, en: App users}, description: {fr: Au moins un événement dans l'appli., en: At least one event in the app.}, where: {channel: app}}
personas:
  - id: claire
    name: {fr: "Claire, l'urbaine connectée", en: "Claire, the connected city dweller"}
    description: {fr: "34 ans, Lyon, achète surtout depuis l'appli le soir.", en: "34, Lyon, mostly buys from the app in the evening."}
    segment: app_users
    goals:
      - {fr: Trouver vite un article qui va avec son intérieur, en: Quickly find an item that suits her home}
      - {fr: Payer en deux gestes, en: Pay in two taps}
    frustrations:
      - {fr: Frais de port découverts au dernier moment, en: Delivery fees found out at the last moment}
      - {fr: Paiement qui échoue dans l'appli, en: Payment failing in the app}
  - id: jean_marc
    name: {fr: "Jean-Marc, le fidèle exigeant", en: "Jean-Marc, the demanding loyal customer"}
    description: {fr: "58 ans, client Or depuis 10 ans, passe souvent en magasin.", en: "58, Gold member for 10 years, often visits the store."}
    segment: gold_members
    goals:
      - {fr: Être reconnu et conseillé, en: Be recognised and advised}
      - {fr: Être livré à la date promise, en: Get the order on the promised date}
    frustrations:
      - {fr: Attente au téléphone, en: Waiting on the phone}
      - {fr: Stock du magasin introuvable en ligne, en: Store stock not shown online}
pain_points:
  - {id: late_delivery_fees, name: {fr: Frais de livraison affichés tard, en: Delivery fees shown late}, stage: purchase, touchpoint: checkout, severity: high}
  - {id: support_wait, name: {fr: Attente au service client, en: Waiting for customer service}, stage: post_purchase, touchpoint: support_phone, severity: high}
  - {id: app_payment, name: {fr: Paiement laborieux dans l'appli, en: Cumbersome payment in the app}, stage: purchase, touchpoint: payment, severity: medium}
  - {id: store_stock_unknown, name: {fr: Stock magasin difficile à connaître, en: Store stock hard to check}, stage: consideration, severity: medium}
opportunities:
  - {id: fees_on_product_page, name: {fr: Afficher les frais dès la fiche produit, en: Show fees on the product page}, stage: consideration, touchpoint: product_page_web, owner: E-commerce, status: planned, pain_point: late_delivery_fees}
  - {id: callback, name: {fr: Rappel automatique au lieu de l'attente, en: Automatic call-back instead of waiting}, touchpoint: support_phone, owner: Service client, status: in_progress, pain_point: support_wait}
  - {id: express_pay, name: {fr: Apple Pay et Google Pay dans l'appli, en: Apple Pay and Google Pay in the app}, touchpoint: payment, owner: Équipe appli, status: idea, pain_point: app_payment}
  - {id: stock_widget, name: {fr: Stock par magasin sur la fiche produit, en: Per-store stock on the product page}, stage: consideration, owner: Magasins, status: idea, pain_point: store_stock_unknown}
actions:
  - {id: fees_ab_test, name: {fr: Test A/B des frais sur la fiche produit, en: A/B test of fees on the product page}, opportunity: fees_on_product_page, owner: E-commerce, status: in_progress, due: 2026-04-30}
  - {id: free_shipping_banner, name: {fr: Annoncer le seuil de livraison gratuite dans le panier, en: Announce the free-delivery threshold in the cart}, touchpoint: cart, opportunity: fees_on_product_page, owner: E-commerce, status: todo, due: 2026-05-15}
  - {id: callback_pilot, name: {fr: Pilote du rappel en Île-de-France, en: Call-back pilot in the Paris region}, opportunity: callback, owner: Service client, status: in_progress, due: 2026-03-31}
  - {id: saturday_chat, name: {fr: Renforcer le chat le samedi, en: More chat agents on Saturdays}, touchpoint: support_chat, owner: Service client, status: done, due: 2026-02-28}
  - {id: wallet_integration, name: {fr: Intégrer les portefeuilles mobiles, en: Integrate mobile wallets}, opportunity: express_pay, owner: Équipe appli, status: todo, due: 2026-06-15}
kpis:
  - {id: purchase_conversion, name: {fr: Taux de conversion, en: Conversion rate}, stage: purchase, metric: conversion, target: 35, unit: "%"}
  - {id: checkout_conversion, name: {fr: Commandes payées après la livraison affichée, en: Orders paid after delivery options}, touchpoint: checkout, metric: conversion, target: 70, unit: "%"}
  - {id: delivery_time, name: {fr: Délai de livraison médian, en: Median delivery time}, stage: post_purchase, metric: duration_median, target: 4, unit: d, direction: lower}
  - {id: support_phone_rate, name: {fr: Clients appelant le service client, en: Customers calling customer service}, touchpoint: support_phone, metric: reached, target: 5, unit: "%", direction: lower}
  - {id: nps, name: {fr: NPS, en: NPS}, stage: advocacy, metric: nps, target: 40, unit: points}
"""

_HEADER = """\
# Maison Lumière — carte de démonstration de Parcours (enseigne fictive de décoration, données inventées).
# Maison Lumière — Parcours demo map (a fictitious home & decoration retailer, made-up data).
# Mesurer / measure:  parcours analyze events.csv --map maison_lumiere.yaml
"""

#: Events present in the data that are on no touchpoint of the map, on purpose.
INVISIBLE_EVENTS = ("password_reset", "promo_code_error", "store_stock_check", "delivery_slot_change")
#: First and last day of the demo events (Europe/Paris).
PERIOD = (dt.date(2026, 1, 5), dt.date(2026, 6, 30))

_TZ = ZoneInfo("Europe/Paris")
_DAYS = range(-2, (PERIOD[1] - PERIOD[0]).days + 400)  # index 2 is PERIOD[0]; margin past the end


def _day_table(hour: int) -> list[int]:
    """Epoch of ``hour`` o'clock (local) on each day of _DAYS, minus ``hour`` hours."""
    return [int(dt.datetime.combine(PERIOD[0] + dt.timedelta(d), dt.time(hour), _TZ).timestamp()) - hour * 3600
            for d in _DAYS]


_MIDNIGHTS = _day_table(0)  # local midnights: the day of an instant, by bisection
# Noon minus 12 h: adding the seconds of a local time of day gives its epoch even on the
# nights summer time starts or ends, so that "10:00" stays 10:00 on 29 March.
_BASES = _day_table(12)
_START, _END = _MIDNIGHTS[2], _MIDNIGHTS[2 + (PERIOD[1] - PERIOD[0]).days + 1]  # _END is exclusive

# Local hours of sessions, repeated by weight: evenings online, shop hours in store.
_ONLINE = (7, 8, 9, 9, 10, 11, 12, 12, 13, 13, 14, 15, 16, 17, 18, 18, 19, 20, 20, 20, 21, 21, 21, 22, 22, 23)
_STORE = (10, 11, 11, 12, 14, 15, 15, 16, 16, 17, 17, 18, 18, 18, 19)
_OFFICE = (8, 9, 9, 10, 10, 11, 11, 12, 14, 14, 15, 15, 16, 16, 17, 17, 18, 19)
_REGIONS = ("Île-de-France", "Auvergne-Rhône-Alpes", "Provence-Alpes-Côte d'Azur", "Occitanie",
            "Hauts-de-France", "Nouvelle-Aquitaine", "Grand Est", "Bretagne")
_REGION_CUM = (30, 44, 55, 65, 75, 85, 93, 100)
# Rows are written grouped by the system that logged them, as a naive export would do:
# web analytics first, then the app, the tills, the emailing tool... The tool must sort.
_SYSTEMS = {"web": 0, "app": 1, "store": 2, "email": 3, "ads": 4, "social": 5, "chat": 6, "phone": 7, None: 8}
_CHUNK = 20_000  # customers generated per batch: bounds the memory of Python objects


def _season(day: int) -> str:
    """Campaign theme of a day of the period (winter sales, spring, Mother's Day, summer)."""
    return ("soldes_hiver" if day < 35 else "printemps_deco" if day < 120
            else "fete_des_meres" if day < 147 else "ete")


class _Customer:
    """One simulated customer: a profile, then the stages walked as sessions on a clock."""

    def __init__(self, rng: random.Random, index: int, out: list[list[tuple[Any, ...]]]) -> None:
        self.rng, self.index, self.out = rng, index, out
        r = rng.random()
        self.tier = "gold" if r < 0.10 else "silver" if r < 0.28 else "none"
        self.type = "returning" if self.tier != "none" or rng.random() < 0.3 else "new"
        r = rng.random() * 100
        self.region = next(reg for reg, cum in zip(_REGIONS, _REGION_CUM) if r < cum)
        self.app = rng.random() < (0.45 if self.tier == "gold" else 0.25)
        web = rng.choice(("desktop",) * 11 + ("mobile",) * 8 + ("tablet",))
        self.devices = {"web": web, "ads": web, "chat": web, "app": "tablet" if rng.random() < 0.1 else "mobile",
                        "email": "mobile" if rng.random() < 0.6 else web, "social": "mobile", "store": "in_store",
                        "phone": None, None: None}
        self.t, self.amount = 0, 0.0
        # What happened to the customer, for the surveys (no random draw: the events stay the same).
        self.moments: list[tuple[str, int, str | None]] = []  # (what, time, channel)

    # -- clock and output -------------------------------------------------------------
    def emit(self, event: str, channel: str | None, amount: float | None = None, campaign: str | None = None) -> None:
        if self.t < _END:  # the export stops on 30 June: later events are cut, as in real logs
            self.out[_SYSTEMS[channel]].append(
                (self.index, self.t, event, channel, amount, self.devices[channel], campaign))

    def step(self, low: int, high: int) -> None:
        self.t += self.rng.randint(low, high)

    def later(self, mean_days: float, hours: tuple[int, ...] = _ONLINE) -> None:
        """Move the clock to a later session, ~``mean_days`` on, at a plausible local hour."""
        rng = self.rng
        t = self.t + int(rng.expovariate(1.0 / mean_days) * 86400)
        if t >= _END:
            self.t = t
            return
        day = bisect_right(_MIDNIGHTS, t) - 1
        secs = rng.choice(hours) * 3600 + rng.randrange(3600)
        for d in (day, day + 1, day + 2):  # that hour today if still ahead, else the next open day
            if hours is _STORE and (d - 2) % 7 == 6:  # stores are closed on Sundays (day 2 is a Monday)
                continue
            start = _BASES[d] + secs
            if start > self.t:
                break
        self.t = start

    @property
    def open(self) -> bool:
        return self.t < _END

    # -- stages ---------------------------------------------------------------------------
    def walk(self) -> None:
        rng = self.rng
        first_day = rng.randrange((PERIOD[1] - PERIOD[0]).days + 1)
        self.t = _MIDNIGHTS[first_day + 2] - 1
        # Store customers skip Découverte and Considération: they walk in and buy.
        if rng.random() < 0.10:
            if rng.random() < 0.3:  # some check the stock online first: a step on no map
                self.later(0.01)
                self.emit("store_stock_check", "web")
            self.later(0.01, _STORE)
            bought = self.pay("store")
        else:
            self.later(0.01)
            bought = self.discover() and self.consider()
        again = {"gold": 0.55, "silver": 0.35, "none": 0.15}[self.tier]
        while bought and self.open:
            self.after_sale(bought)
            if rng.random() > again:
                break
            again /= 2
            # A backward move: a customer who bought comes back to Découverte via the newsletter.
            self.later(25)
            self.newsletter()
            bought = self.consider()

    def newsletter(self) -> None:
        campaign = f"nl_{_season(self.day())}"
        self.emit("newsletter_open", "email", campaign=campaign)
        if self.rng.random() < 0.7:
            self.step(5, 120)
            self.emit("newsletter_click", "email", campaign=campaign)

    def day(self) -> int:
        return bisect_right(_MIDNIGHTS, self.t) - 3

    def discover(self) -> bool:
        rng = self.rng
        for attempt in range(2):  # a bounce may be caught again by retargeting
            if attempt:
                self.later(6)
            r = rng.random()
            if self.type == "returning" and r < 0.35:
                self.newsletter()
            else:
                campaign = None
                if r < 0.6:
                    campaign = f"{rng.choice(('google_ads', 'meta_ads'))}_{_season(self.day())}"
                    self.emit("ad_click", "ads", campaign=campaign)
                elif r < 0.85:
                    campaign = f"{rng.choice(('instagram', 'pinterest'))}_{_season(self.day())}"
                    self.emit("social_post_click", "social", campaign=campaign)
                self.step(1, 8)  # the landing page loads a few seconds after the click
                self.emit("landing_page_view", "web", campaign=campaign)  # None: organic search
            if rng.random() < (0.85 if self.tier == "gold" else 0.65):
                return True
        return False

    def consider(self) -> str | None:
        """Browse for one or more sessions; return how the customer bought, or None."""
        rng = self.rng
        channel = "app" if self.app and rng.random() < 0.8 else "web"
        p_cart = {"gold": 0.5, "silver": 0.4, "none": 0.3}[self.tier] - (0.05 if self.type == "new" else 0)
        for session in range(6):
            if session:
                self.later(3)
            for _ in range(1 + min(int(rng.expovariate(0.4)), 8)):  # product pages, often revisited
                self.step(15, 240)
                r = rng.random()
                ar = channel == "app" and r < 0.1  # "see it in my room", in the app only
                self.emit("product_view_ar" if ar else "product_view_zoom" if r < 0.25 else "product_view", channel)
            if rng.random() < 0.2:
                self.step(5, 60)
                self.emit("wishlist_add", channel)
            if rng.random() < 0.08:
                self.step(30, 300)
                self.emit("chat_question", "chat")
            if rng.random() < 0.12:  # "is it in my store?" then a visit, sometimes a purchase
                if rng.random() < 0.6:
                    self.step(10, 120)
                    self.emit("store_stock_check", channel)
                self.later(2, _STORE)
                self.emit("store_visit", "store")
                if rng.random() < 0.5:
                    self.step(300, 2400)
                    return self.pay("store")
                continue
            r = rng.random()
            if r < p_cart:
                bought = self.checkout(channel)
                if bought or rng.random() > 0.35:  # most who drop at checkout never come back
                    return bought
            elif r > p_cart + 0.35:
                return None
        return None

    def checkout(self, channel: str) -> str | None:
        rng = self.rng
        self.step(10, 90)
        self.emit("add_to_cart", channel)
        self.step(5, 300)
        self.emit("cart_view", channel)
        if self.type == "returning" and rng.random() < 0.1:
            self.step(20, 120)
            self.emit("password_reset", channel)  # forgotten password at login: not on the map
        if rng.random() < 0.15:
            return None
        self.step(10, 120)
        self.emit("checkout_start", channel)
        self.emit("delivery_fees_shown", channel)  # same second: the fees appear on the first checkout screen
        # The friction of the map: fees discovered late. Gold members have free delivery.
        if rng.random() < (0.06 if self.tier == "gold" else 0.3):
            self.moments.append(("fees_abandon", self.t, channel))
            return None
        if rng.random() < 0.1:
            self.step(10, 60)
            self.emit("promo_code_error", channel)
            if rng.random() < 0.3:
                self.moments.append(("promo_abandon", self.t, channel))
                return None
        self.step(20, 180)
        self.emit("payment_start", channel)
        if rng.random() < (0.25 if channel == "app" else 0.07):  # payment in the app often fails
            self.moments.append(("payment_failed", self.t, channel))
            return None
        self.step(15, 120)
        return self.pay(channel)

    def pay(self, channel: str) -> str:
        amount = round(self.rng.lognormvariate(4.45 if self.tier == "gold" else 4.2, 0.6), 2)
        self.amount = amount
        self.emit("order_paid", channel, amount)
        self.moments.append(("paid", self.t, channel))
        if channel != "store" or self.rng.random() < 0.5:  # e-receipt for half the store sales
            self.emit("order_confirmation_email", "email")  # same second, logged after the payment
        return "store" if channel == "store" else "online"

    def after_sale(self, how: str) -> None:
        rng = self.rng
        if how == "online":
            self.step(3 * 3600, 30 * 3600)
            self.emit("order_prepared", None)  # warehouse system: backstage, no customer channel
            self.step(2 * 3600, 20 * 3600)
            self.emit("order_shipped", "email")
            late = rng.random() < 0.12
            if rng.random() < 0.1:
                self.later(0.5)
                self.emit("delivery_slot_change", "app" if self.app else "web")
            if late:  # "where is my parcel?"
                self.later(2, _OFFICE)
                self.support()
            self.later(1.5 + 3 * late, _OFFICE)
            self.emit("order_delivered", "email")
            self.moments.append(("delivered_late" if late else "delivered", self.t, None))
            if rng.random() < 0.06:
                self.later(2, _OFFICE)
                self.support()
            if rng.random() < 0.08:
                self.later(8)
                self.emit("return_request", "web")
                self.step(3 * 86400, 10 * 86400)
                self.emit("refund_issued", "web", -self.amount)  # negative: sums give net revenue
                self.moments.append(("refund", self.t, "web"))
        if rng.random() < 0.18:
            self.later(7)
            self.emit("review_posted", "app" if self.app and rng.random() < 0.5 else "web")
        if self.tier == "none" and rng.random() < 0.2:
            self.later(3)
            self.emit("loyalty_signup", "store" if how == "store" else "app" if self.app else "web")
        elif self.app and self.tier != "none" and rng.random() < 0.4:
            self.later(5)
            self.emit("loyalty_points_view", "app")
        if rng.random() < (0.12 if self.tier == "gold" else 0.04):
            self.later(10)
            self.emit("referral_share", "social")

    def support(self) -> None:
        channel = "phone" if self.rng.random() < 0.55 else "chat"
        self.emit("support_contact", channel)
        if channel == "phone" and self.rng.random() < 0.25:  # waited too long, hung up, called again
            self.step(600, 7200)
            self.emit("support_contact", channel)
            self.moments.append(("support_called_again", self.t, channel))
        else:
            self.moments.append(("support", self.t, channel))


# -- surveys -------------------------------------------------------------------------------
# Answers to Maison Lumière's surveys, drawn from what happened to each customer (their
# ``moments``) with a random stream of their own, so that the events never change:
# an NPS e-mail after each delivery (or store purchase), a CSAT exit survey when a checkout or
# a payment is abandoned, a CES question after each customer-service contact, a CSAT after a
# refund. Comments mostly in French, a few in English.
_COMMENTS = {
    "late": ["Livraison en retard de plusieurs jours, aucune nouvelle du transporteur",
             "Colis arrivé avec une semaine de retard", "Délai de livraison pas respecté, j'ai dû appeler",
             "Retard de livraison et suivi du colis inutile", "Livraison en retard, produit joli mais quelle attente",
             "The parcel arrived a week late"],
    "wait": ["Attente interminable au téléphone avant de parler à quelqu'un",
             "Trop d'attente au service client, j'ai raccroché et rappelé",
             "Service client injoignable par téléphone", "45 minutes d'attente au téléphone pour un simple suivi",
             "Waited ages on the phone to reach customer service"],
    "fees": ["Frais de livraison trop chers, découverts au dernier moment",
             "Les frais de livraison affichés seulement au paiement, j'ai abandonné",
             "Frais de port exorbitants pour un petit article", "Pourquoi les frais de livraison ne sont pas indiqués sur la fiche produit ?",
             "Frais de livraison trop élevés", "Delivery fees shown only at checkout, far too expensive"],
    "payment": ["Paiement refusé dans l'appli, trois fois", "L'appli plante au moment du paiement",
                "Impossible de payer avec ma carte dans l'appli", "Paiement dans l'appli laborieux, j'ai abandonné",
                "Payment kept failing in the app"],
    "promo": ["Le code promo ne fonctionne pas", "Code promo refusé alors qu'il était valable"],
    "chat": ["Réponse rapide et aimable sur le chat", "Conseillère du chat efficace, problème réglé",
             "Quick and helpful answer on the chat"],
    "refund": ["Remboursement reçu rapidement, retour simple", "Retour gratuit et remboursement en quelques jours",
               "Retour compliqué, étiquette introuvable"],
    "promoter": ["Très beaux produits, livraison rapide", "Commande reçue en parfait état, je recommande",
                 "Conseil parfait en magasin, vendeuse très agréable", "Superbe qualité, très contente de mon achat",
                 "Livraison rapide et emballage soigné", "Lovely products and fast delivery",
                 "Application pratique, commande en deux minutes"],
    "passive": ["Bien dans l'ensemble, un peu cher", "Produit conforme, rien de plus",
                "Correct mais le choix en magasin est limité", "Fine overall, a bit pricey"],
    "detractor": ["Qualité décevante pour le prix", "Produit abîmé à la réception", "Prix trop élevés",
                  "Stock du magasin introuvable sur le site"],
}


def _answers(c: _Customer, rng: random.Random) -> list[tuple[int, str, int, str | None, str | None]]:
    """(time, metric, score, comment, touchpoint) of one customer's answers."""
    out: list[tuple[int, str, int, str | None, str | None]] = []
    seen: set[str] = set()

    def say(key: str, p: float = 0.6) -> str | None:
        return rng.choice(_COMMENTS[key]) if rng.random() < p else None

    for what, t, channel in c.moments:
        seen.add(what)
        if what in ("delivered", "delivered_late") or (what == "paid" and channel == "store"):
            if rng.random() > 0.3:
                continue
            mean = {"gold": 9.0, "silver": 8.3, "none": 7.8}[c.tier]
            mean -= 4.5 * (what == "delivered_late") + 3.0 * ("support_called_again" in seen) + 1.0 * ("refund" in seen)
            score = max(0, min(10, round(rng.gauss(mean, 1.5))))
            key = ("late" if what == "delivered_late" and score <= 6 else
                   "wait" if "support_called_again" in seen and score <= 6 else
                   "promoter" if score >= 9 else "passive" if score >= 7 else "detractor")
            out.append((t + rng.randint(3600, 3 * 86400), "nps", score, say(key), None))
        elif what in ("fees_abandon", "payment_failed", "promo_abandon") and rng.random() < 0.15:
            tp = "checkout" if what == "fees_abandon" else "payment" if what == "payment_failed" else "cart"
            key = {"fees_abandon": "fees", "payment_failed": "payment", "promo_abandon": "promo"}[what]
            out.append((t + rng.randint(600, 6 * 3600), "csat", rng.choice((1, 1, 2, 2, 3)), say(key, 0.8), tp))
        elif what in ("support", "support_called_again") and rng.random() < 0.35:
            tp = "support_phone" if channel == "phone" else "support_chat"
            hard = what == "support_called_again" or (channel == "phone" and rng.random() < 0.4)
            score = rng.choice((5, 6, 6, 7, 7)) if hard else rng.choice((1, 2, 2, 3, 4))
            out.append((t + rng.randint(600, 86400), "ces", score, say("wait" if hard else "chat" if channel == "chat"
                                                                     else "passive", 0.5), tp))
        elif what == "refund" and rng.random() < 0.2:
            score = rng.choice((3, 4, 4, 5, 5, 2))
            out.append((t + rng.randint(3600, 86400), "csat", score, say("refund", 0.7), "returns"))
    return [a for a in out if a[0] < _END]  # the survey export stops with the events


def demo_map() -> JourneyMap:
    """The validated journey map of Maison Lumière."""
    return map_from_dict(yaml.safe_load(_MAP_YAML), source="<parcours demo map>")


def _chunk(first: int, count: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """Events and survey answers of customers ``first`` .. ``first + count - 1``."""
    import pyarrow as pa

    out: list[list[tuple[Any, ...]]] = [[] for _ in _SYSTEMS]
    profiles = []
    answers: list[tuple[Any, ...]] = []
    rng, srng = random.Random(), random.Random()
    for i in range(first, first + count):
        rng.seed((seed << 32) | i)  # one stream per customer: C000123 is the same whatever the count
        c = _Customer(rng, i - first, out)
        c.walk()
        profiles.append((f"C{i + 1:06d}", c.tier, c.type, c.region))
        srng.seed((seed << 32) | i | (1 << 62))  # the surveys' own stream
        answers += [(f"C{i + 1:06d}", *a) for a in _answers(c, srng)]
    rows = [row for system in out for row in system]
    index, ts, event, channel, amount, device, campaign = zip(*rows) if rows else ((),) * 7
    # Plain lists rather than Array.take: importing pyarrow.compute costs ~0.8 s.
    ids, tiers, types, regions = ([col[i] for i in index] for col in zip(*profiles))
    stamps = [dt.datetime.fromtimestamp(t, _TZ).isoformat() for t in ts]
    columns = {"customer_id": ids, "timestamp": stamps, "event": event, "channel": channel, "amount": amount,
               "loyalty_tier": tiers, "customer_type": types, "region": regions, "device": device, "campaign": campaign}
    events = pa.table({name: pa.array(values, pa.float64() if name == "amount" else pa.string())
                       for name, values in columns.items()})
    answers.sort(key=lambda a: a[1])  # the survey tool exports by answer time
    who, at, metric, score, comment, tp = zip(*answers) if answers else ((),) * 6
    survey = pa.table({"customer_id": pa.array(who, pa.string()),
                       "answered_at": pa.array([dt.datetime.fromtimestamp(t, _TZ).isoformat() for t in at], pa.string()),
                       "metric": pa.array(metric, pa.string()), "score": pa.array(score, pa.int64()),
                       "comment": pa.array(comment, pa.string()), "touchpoint": pa.array(tp, pa.string())})
    return events, survey


def _generate(customers: int, seed: int) -> tuple[pa.Table, pa.Table]:
    import pyarrow as pa

    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    parts = [_chunk(first, min(_CHUNK, customers - first), seed) for first in range(0, customers, _CHUNK)]
    survey = pa.concat_tables([s for _, s in parts])
    if len(parts) > 1:  # answers in time order across chunks too
        order = sorted(range(survey.num_rows), key=survey.column("answered_at").to_pylist().__getitem__)
        survey = survey.take(order)
    return pa.concat_tables([e for e, _ in parts]), survey  # events: one record batch per 20,000 customers


def demo_events(customers: int = 10_000, seed: int = 7) -> pa.Table:
    """Six months of Maison Lumière events, as the raw export of its systems (not sorted by time).

    Columns: customer_id, timestamp (ISO 8601 text with the Europe/Paris offset), event,
    channel (empty for backstage system events), amount (euros on ``order_paid``, negative
    on ``refund_issued``), loyalty_tier, customer_type, region, device, campaign.
    """
    return _generate(customers, seed)[0]


def demo_feedback(customers: int = 10_000, seed: int = 7) -> pa.Table:
    """The same customers' survey answers, in answer order: customer_id, answered_at (ISO 8601,
    Europe/Paris offset), metric (``nps`` after a delivery or a store purchase, ``csat`` after an
    abandoned checkout or payment or a refund, ``ces`` after a customer-service contact), score,
    comment (French, a few in English; empty for many answers), touchpoint (empty for the NPS
    survey: it is placed by the customer's journey).

    >>> t = demo_feedback(customers=200)
    >>> t.column_names
    ['customer_id', 'answered_at', 'metric', 'score', 'comment', 'touchpoint']
    """
    return _generate(customers, seed)[1]


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`write_demo` wrote."""

    map_path: Path
    events_path: Path
    customers: int
    events: int
    feedback_path: Path | None = None
    answers: int = 0


def write_demo(out_dir: str | Path, customers: int = 10_000, seed: int = 7) -> DemoFiles:
    """Write ``maison_lumiere.yaml``, ``events.csv`` and ``feedback.csv`` (UTF-8) in ``out_dir``,
    replacing them."""
    import pyarrow.csv as pacsv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    map_path, events_path, feedback_path = out / "maison_lumiere.yaml", out / "events.csv", out / "feedback.csv"
    table, survey = _generate(customers, seed)
    map_path.write_text(_HEADER + dump_map(demo_map()), encoding="utf-8")
    # No quotes, header included: plainer to read; Arrow raises if a value ever needs them.
    with events_path.open("wb") as f:
        f.write((",".join(table.column_names) + "\n").encode("utf-8"))
        pacsv.write_csv(table, f, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    pacsv.write_csv(survey, feedback_path)  # comments have commas: quoted where needed
    return DemoFiles(map_path, events_path, customers, table.num_rows, feedback_path, survey.num_rows)
