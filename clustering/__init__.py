"""painpoint's theme engine: turn many short complaints into a few described themes."""

from clustering.assign import Assigner, KeepLabels, NearestCentroidAssigner, join_labels
from clustering.cluster import AutoKMeans, Clusterer, GraphKMeans
from clustering.csv_tool import ThemeSummary, cluster_csv, format_themes_table
from clustering.describe import (
    CTfidfRepresentation,
    Quote,
    Representation,
    ThemeDescription,
    describe_themes,
    make_title,
)
from clustering.duplicates import group_near_duplicates, normalise_text
from clustering.embedding import Embedder, SentenceTransformerEmbedder
from clustering.errors import ClusteringInputError
from clustering.keywords import TermStats, ctfidf_keywords, term_stats
from clustering.membership import ThresholdAssigner, theme_thresholds
from clustering.nonanswers import is_non_answer
from clustering.pipeline import ClusteringResult, ThemePipeline
from clustering.reduce import GraphSmoother, NoReduction, PCAReducer, Reducer, ReducerChain
from clustering.stability import ClusterMatch, assign_to_nearest, match_clusters
from clustering.titles import duplicate_titles, title_problems
from clustering.trends import Trend, spike, trend

__all__ = [
    "Assigner",
    "AutoKMeans",
    "CTfidfRepresentation",
    "ClusterMatch",
    "Clusterer",
    "ClusteringInputError",
    "ClusteringResult",
    "Embedder",
    "GraphKMeans",
    "GraphSmoother",
    "KeepLabels",
    "NearestCentroidAssigner",
    "NoReduction",
    "PCAReducer",
    "Quote",
    "Reducer",
    "ReducerChain",
    "Representation",
    "SentenceTransformerEmbedder",
    "TermStats",
    "ThemeDescription",
    "ThemePipeline",
    "ThemeSummary",
    "ThresholdAssigner",
    "Trend",
    "assign_to_nearest",
    "cluster_csv",
    "ctfidf_keywords",
    "describe_themes",
    "duplicate_titles",
    "format_themes_table",
    "group_near_duplicates",
    "is_non_answer",
    "join_labels",
    "make_title",
    "match_clusters",
    "normalise_text",
    "spike",
    "term_stats",
    "theme_thresholds",
    "title_problems",
    "trend",
]
