"""What a new town's site starts with."""

DEFAULT_CHARTER = """Charte de participation

Ce site appartient aux habitants et à la collectivité. Pour qu’il reste un lieu d’entraide et \
d’échange, chacun s’engage à :

1. Rester courtois et bienveillant, même en cas de désaccord.
2. Ne publier ni propos injurieux, discriminatoires ou diffamatoires, ni contenus illégaux.
3. Ne pas publier d’informations personnelles sur autrui (adresse, téléphone, santé…).
4. Ne pas faire de publicité commerciale ni de propagande électorale.
5. Proposer des aides gratuites : l’entraide ne donne lieu à aucun paiement.

Les modérateurs de la collectivité peuvent masquer un contenu qui ne respecte pas cette charte \
et, en cas de manquements répétés, suspendre un compte. Toute personne peut signaler un contenu.
"""
