"""The entry of the processing register (art. 30 GDPR) for the authority's data protection
officer, filled from the configuration so that it says what this installation really does."""

from __future__ import annotations

from ..config import Settings


def processing_register(settings: Settings) -> str:
    channels = [name.capitalize() for name in ("telegram", "matrix", "console")
                if getattr(settings, name).enabled]
    if getattr(getattr(settings, "email", None), "enabled", False):
        channels.append("courriel (relais SMTP de la collectivité)")
    channels = channels or ["aucun canal activé"]
    hoods = ", ".join(h.name for h in settings.neighbourhoods) or "aucun quartier configuré"
    k, days = settings.privacy.min_cell, settings.privacy.retention_days
    report_days = settings.reports.retention_days or days
    return f"""\
REGISTRE DES ACTIVITÉS DE TRAITEMENT — animabot
=============================================

Traitement : participation des habitants à la vie de leur quartier (consultations,
  sondages, informations, micro-formations) par messagerie, et évaluation de la démarche.
Responsable de traitement : la collectivité qui exploite l'outil (à compléter).
Base légale : mission d'intérêt public (art. 6.1.e RGPD), gestion urbaine et sociale de
  proximité ; consentement recueilli au premier contact pour les messages privés.
Finalités :
  - informer les habitants et les consulter (annonces, sondages, formations) ;
  - relancer en privé les habitants qui l'ont accepté et n'ont pas encore répondu ;
  - produire des statistiques anonymes pour évaluer la démarche ;
  - recevoir les signalements de problèmes dans l'espace public et les transmettre aux
    services compétents, en tenant l'habitant informé de leur suite.
Personnes concernées : habitants des quartiers ({hoods}) qui écrivent au bot ou répondent.
Données traitées :
  - un pseudonyme (HMAC-SHA256 à clé secrète de l'identifiant de messagerie) ; la clé
    n'est jamais stockée dans la base ;
  - un carnet d'adresses séparé (pseudonyme → adresse de la discussion privée), seul
    moyen de joindre une personne, supprimé à l'effacement ;
  - langue, quartier choisi, date du consentement, choix de ne plus être relancé ;
  - réponses aux sondages et progression des formations, liées au pseudonyme.
  - pour les habitants inscrits par courriel ou SMS (liste importée avec leur accord, ou
    inscription sur la page publique du quartier, confirmée par lien ou code SMS) :
    l'adresse de courriel ou le numéro de téléphone, dans le carnet d'adresses seulement,
    avec son état (actif, désabonné, injoignable) ; le pseudonyme est le HMAC de l'adresse.
  - signalements : catégorie, description, photo (métadonnées EXIF et GPS retirées avant
    conservation), lieu, quartier, statut et son historique, liés au pseudonyme ; les
    services destinataires ne reçoivent qu'un pseudonyme abrégé.
  Aucun nom, aucun contenu de conversation de groupe.
Canaux : {", ".join(channels)}.
Destinataires : agents de la collectivité habilités, qui ne voient que des statistiques
  agrégées ; tout effectif inférieur à {k} est masqué (avec les cases complémentaires) ;
  pour les signalements, les services et partenaires désignés par catégorie et quartier.
Durée de conservation : {days} jours pour les réponses, ensuite agrégées en effectifs puis
  supprimées (`animabot privacy purge`, chaque jour automatiquement) ; {report_days} jours
  après leur clôture, les signalements perdent description, photo et pseudonyme.
Droits des personnes : /mesdonnees (accès), /oubli (effacement : le carnet d'adresses et le
  pseudonyme sont supprimés, les réponses passées ne sont plus rattachées à personne),
  /stop (opposition aux messages privés).
Transferts hors UE : selon la plateforme de messagerie choisie par l'habitant (Telegram ;
  Matrix sur le serveur de la collectivité).
Sécurité : jetons et clés hors de la base et des journaux, accès au tableau de bord par
  jeton individuel, base SQLite locale, journaux sans identifiant de messagerie.
"""
