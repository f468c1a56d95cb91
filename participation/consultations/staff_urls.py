"""Staff's consultation pages (config/urls_tenant.py: /administration/consultations/)."""

from django.urls import path

from participation.consultations import (
    builder_views,
    export_views,
    paper_views,
    results_views,
    review_views,
    staff_views,
)

app_name = "consultations_staff"
urlpatterns = [
    path("", staff_views.staff_list, name="list"),
    path("nouvelle/", staff_views.staff_new, name="new"),
    path("<int:pk>/", staff_views.staff_edit, name="edit"),
    path("<int:pk>/fichiers/", staff_views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/fichiers/<int:attachment_pk>/supprimer/",
        staff_views.attachment_remove,
        name="attachment_remove",
    ),
    path("<int:pk>/publier/", staff_views.publish, name="publish"),
    path("<int:pk>/dupliquer/", staff_views.duplicate, name="duplicate"),
    path("<int:pk>/questionnaire/", builder_views.builder_page, name="builder"),
    path("<int:pk>/apercu/", builder_views.preview, name="preview"),
    path("<int:pk>/resultats/", results_views.staff_results, name="results"),
    path("<int:pk>/resultats/publier/", results_views.publish_results, name="results_publish"),
    path("<int:pk>/resultats/retirer/", results_views.unpublish_results, name="results_unpublish"),
    path("<int:pk>/conclusion/", results_views.conclusion, name="conclusion"),
    path("<int:pk>/textes/", review_views.texts, name="texts"),
    path("<int:pk>/donnees/", export_views.open_data_page, name="open_data"),
    path(
        "<int:pk>/donnees/reponses.<str:extension>",
        export_views.download,
        name="open_data_file",
    ),
    path("<int:pk>/papier/", paper_views.paper_list, name="paper_list"),
    path("<int:pk>/papier/nouvelle/", paper_views.paper_new, name="paper_new"),
    path("<int:pk>/papier/<int:answer_pk>/", paper_views.paper_edit, name="paper_edit"),
    path(
        "<int:pk>/papier/<int:answer_pk>/supprimer/",
        paper_views.paper_remove,
        name="paper_remove",
    ),
    path("<int:pk>/sections/", builder_views.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/", builder_views.section_edit, name="section_edit"),
    path(
        "<int:pk>/sections/<int:section_pk>/supprimer/",
        builder_views.section_remove,
        name="section_remove",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/monter/",
        builder_views.section_move,
        {"direction": "haut"},
        name="section_up",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/descendre/",
        builder_views.section_move,
        {"direction": "bas"},
        name="section_down",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/questions/",
        builder_views.question_add,
        name="question_add",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/", builder_views.question_edit, name="question_edit"
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/supprimer/",
        builder_views.question_remove,
        name="question_remove",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/monter/",
        builder_views.question_move,
        {"direction": "haut"},
        name="question_up",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/descendre/",
        builder_views.question_move,
        {"direction": "bas"},
        name="question_down",
    ),
]
