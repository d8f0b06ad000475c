"""The words of the CLI's summaries (analyze, demo, feedback, segments) in French and English.

One language per run: the one ``--lang`` asks for, else the map's ``analysis.lang``, else its
``language`` (:func:`parcours.model.specs.report_lang`). Numbers, durations and dates are
written by :mod:`parcours.report.formats` in the same language; names of stages, touchpoints
and segments come from the map in it. Every key exists in both languages (a test checks).

>>> words("fr")["summary"], words("en")["summary"], words("de")["summary"]
('Résumé', 'Summary', 'Summary')
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "note": "Note: {note}",
        "rows_read": "Rows read {read} = accepted {accepted} + quarantined {quarantined}{dropped}",
        "duplicates_dropped": ", {n} duplicates dropped",
        "cached": "Same files, map and options as an earlier run: results from the cache ({path}); "
                  "--no-cache computes them again",
        "wrote": "\nWrote {n} files to [bold]{out}[/] ({names})",
        "wrote_named": "\nWrote {names} to [bold]{out}[/]",
        "removed": "Removed {names}: tables of an earlier analysis in this folder that this one did not compute",
        "summary": "Summary", "events": "Events", "journeys": "Journeys", "customers": "Customers",
        "period": "Period", "journey_duration": "Journey duration", "median_p90": "median {median}, p90 {p90}",
        "variants": "Variants", "unmapped": "Unmapped events",
        "unmapped_detail": "{events} ({names} event names on no touchpoint)",
        "funnel": "Stage funnel (in order)", "stage": "Stage", "reached": "Reached", "any_order": "Any order",
        "converted": "Converted", "conversion": "Conversion",
        "frictions": "Frictions: the {n} touchpoints to look at first", "rank": "#", "touchpoint": "Touchpoint",
        "score": "Score", "why": "Why", "small": "small", "n_of_journeys": "n (journeys)",
        "n_journeys": "{n} journeys", "n_journey": "{n} journey", "n_answers": "{n} answers", "n_answer": "{n} answer",
        "opportunities": "Opportunities: the {n} largest gaps, in journeys", "gap": "Gap", "n": "n", "owners": "Owners",
        "side_by_side": "Side by side, by {by} (breakdown_summary.csv)",
        "by_segment": "segment", "by_channel": "channel",
        "goal_conversion": "Conversion", "median_duration": "Median duration", "linear": "Linear journeys",
        "multichannel": "Multichannel journeys",
        "nps": "NPS", "csat": "CSAT", "ces": "CES", "negative": "Negative comments", "top_irritant": "Top irritant",
        "top_friction": "Top friction",
        # parcours feedback
        "placed": "Responses placed on the map: {given} by their own stage/touchpoint, {journey} by the "
                  "customer's journey, {unattached} not placed",
        "feedback": "Feedback (95% interval)", "metric": "Metric", "where": "Where", "value": "Value",
        "overall": "overall", "at_stage": "stage {name}",
        "comments_line": "Comments: {comments} ({langs}); sentiment: {positive} positive, {neutral} neutral, "
                         "{negative} negative; {contradictions} flagged 'text contradicts score'",
        "not_scored": "{n} comments in a language without a sentiment model (none shipped, too few scored comments "
                      "to learn one): their sentiment comes from the score beside them, if any",
        "unlabelled": "Responses with no sentiment label: {reasons} (labelled: {labelled})",
        "unlabelled_no_comment": "{n} without comment nor score", "unlabelled_no_language": "{n} without a word",
        "unlabelled_no_text_model": "{n} in a language with no text model and no score ({langs})",
        "aspects": "What comments speak of (aspects of the relationship)", "aspect": "Aspect",
        "of_comments": "Of comments", "negative_share": "Negative (n)",
        "text_model_line": "Text sentiment, {language}: {used}; balanced accuracy {value} on {n} of your scored "
                           "comments{baseline}",
        "text_model_unmeasured": "Text sentiment, {language}: {used}; {n} scored comments: too few to measure it",
        "text_model_unmeasured_one": "Text sentiment, {language}: {used}; 1 scored comment: too few to measure it",
        "text_used_adapted": "adapted to your scored comments", "text_used_shipped": "shipped model",
        "text_used_given": "model given (--text-model)", "text_used_none": "no model",
        "text_baseline": " (shipped model: {value})",
        "text_too_few": " ({n} scored comments: too few to adapt, at least {min} with {side} negative and {side} "
                        "positive)",
        "themes": "Themes (irritants and delights)", "kind": "Kind", "theme": "Theme", "key_terms": "Key terms",
        "comments": "Comments", "of_detractors": "Of detractors' comments",
        "irritant": "irritant", "delight": "delight",
        # parcours segments
        "active_per_segment": "Active customers per segment ({by}), every {every}",
        "week": "week", "month": "month", "quarter": "quarter", "year": "year",
        "segment": "Segment", "active": "active", "new": "new",
        "label_new": "(new)", "label_none": "(none)", "label_inactive": "(inactive)",
        "moves": "Moves between consecutive periods, all {pairs} pairs summed (rows: from, columns: to)",
        "from_to": "from \\ to",
        "largest_moves": "Largest moves between segments, all {pairs} pairs of periods summed "
                         "(the whole matrix: segment_movements.csv)",
        "from": "From", "to": "To",
        "stayed": "Stayed in their segment {stayed} times, moved to another {moved} times "
                  "(per pair of periods: segment_movements.csv)",
    },
    "fr": {
        "note": "Remarque : {note}",
        "rows_read": "Lignes lues {read} = acceptées {accepted} + en quarantaine {quarantined}{dropped}",
        "duplicates_dropped": ", {n} doublons retirés",
        "cached": "Mêmes fichiers, carte et options qu'une exécution précédente : résultats repris du cache "
                  "({path}) ; --no-cache les recalcule",
        "wrote": "\n{n} fichiers écrits dans [bold]{out}[/] ({names})",
        "wrote_named": "\n{names} écrits dans [bold]{out}[/]",
        "removed": "Supprimés : {names}, tables d'une analyse précédente dans ce dossier que celle-ci n'a pas calculées",
        "summary": "Résumé", "events": "Événements", "journeys": "Parcours", "customers": "Clients",
        "period": "Période", "journey_duration": "Durée des parcours", "median_p90": "médiane {median}, 90e centile {p90}",
        "variants": "Variantes", "unmapped": "Événements hors carte",
        "unmapped_detail": "{events} ({names} noms d'événements sur aucun point de contact)",
        "funnel": "Entonnoir des étapes (dans l'ordre)", "stage": "Étape", "reached": "Atteinte",
        "any_order": "Dans n'importe quel ordre", "converted": "Passent à la suivante", "conversion": "Taux de passage",
        "frictions": "Frictions : les {n} points de contact à regarder d'abord", "rank": "#",
        "touchpoint": "Point de contact", "score": "Score", "why": "Pourquoi", "small": "petit effectif",
        "n_of_journeys": "n (parcours)", "n_journeys": "{n} parcours", "n_journey": "{n} parcours",
        "n_answers": "{n} réponses", "n_answer": "{n} réponse",
        "opportunities": "Opportunités : les {n} plus grands écarts, en parcours", "gap": "Écart", "n": "n",
        "owners": "Responsables",
        "side_by_side": "Côte à côte, par {by} (breakdown_summary.csv)",
        "by_segment": "segment", "by_channel": "canal",
        "goal_conversion": "Conversion", "median_duration": "Durée médiane", "linear": "Parcours linéaires",
        "multichannel": "Parcours multicanaux",
        "nps": "NPS", "csat": "CSAT", "ces": "CES", "negative": "Commentaires négatifs",
        "top_irritant": "Irritant principal", "top_friction": "Friction principale",
        # parcours feedback
        "placed": "Réponses placées sur la carte : {given} par leur propre étape ou point de contact, {journey} "
                  "par le parcours du client, {unattached} non placées",
        "feedback": "Avis des clients (intervalle à 95 %)", "metric": "Indicateur", "where": "Où", "value": "Valeur",
        "overall": "ensemble", "at_stage": "étape {name}",
        "comments_line": "Commentaires : {comments} ({langs}) ; sentiment : {positive} positifs, {neutral} neutres, "
                         "{negative} négatifs ; {contradictions} signalés « le texte contredit la note »",
        "not_scored": "{n} commentaires dans une langue sans modèle de sentiment (aucun n'est fourni, trop peu de "
                      "commentaires notés pour en apprendre un) : leur sentiment vient de la note donnée avec, s'il y "
                      "en a une",
        "unlabelled": "Réponses sans sentiment : {reasons} (avec sentiment : {labelled})",
        "unlabelled_no_comment": "{n} sans commentaire ni note", "unlabelled_no_language": "{n} sans aucun mot",
        "unlabelled_no_text_model": "{n} dans une langue sans modèle de texte et sans note ({langs})",
        "aspects": "De quoi parlent les commentaires (aspects de la relation)", "aspect": "Aspect",
        "of_comments": "Part des commentaires", "negative_share": "Négatifs (n)",
        "text_model_line": "Sentiment du texte, {language} : {used} ; exactitude équilibrée {value} sur {n} de vos "
                           "commentaires notés{baseline}",
        "text_model_unmeasured": "Sentiment du texte, {language} : {used} ; {n} commentaires notés : trop peu pour le "
                                 "mesurer",
        "text_model_unmeasured_one": "Sentiment du texte, {language} : {used} ; 1 commentaire noté : trop peu pour le "
                                     "mesurer",
        "text_used_adapted": "adapté à vos commentaires notés", "text_used_shipped": "modèle fourni",
        "text_used_given": "modèle donné (--text-model)", "text_used_none": "aucun modèle",
        "text_baseline": " (modèle fourni : {value})",
        "text_too_few": " ({n} commentaires notés : trop peu pour l'adapter, il en faut {min} dont {side} négatifs et "
                        "{side} positifs)",
        "themes": "Thèmes (irritants et points forts)", "kind": "Type", "theme": "Thème", "key_terms": "Termes clés",
        "comments": "Commentaires", "of_detractors": "Part des commentaires de détracteurs",
        "irritant": "irritant", "delight": "point fort",
        # parcours segments
        "active_per_segment": "Clients actifs par segment ({by}), par {every}",
        "week": "semaine", "month": "mois", "quarter": "trimestre", "year": "année",
        "segment": "Segment", "active": "actifs", "new": "nouveaux",
        "label_new": "(nouveaux)", "label_none": "(aucun)", "label_inactive": "(inactifs)",
        "moves": "Passages d'une période à la suivante, les {pairs} paires additionnées "
                 "(lignes : de, colonnes : vers)",
        "from_to": "de \\ vers",
        "largest_moves": "Plus grands passages entre segments, les {pairs} paires de périodes additionnées "
                         "(la matrice entière : segment_movements.csv)",
        "from": "De", "to": "Vers",
        "stayed": "Restés dans leur segment {stayed} fois, passés à un autre {moved} fois "
                  "(par paire de périodes : segment_movements.csv)",
    },
}


def words(lang: str) -> dict[str, str]:
    """The CLI's words in ``lang`` (English for a language it does not know)."""
    return WORDS.get(lang, WORDS["en"])
