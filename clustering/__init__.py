"""painpoint's theme engine: turn many short complaints into a few described themes."""

from clustering.assign import Assigner, KeepLabels, NearestCentroidAssigner
from clustering.cluster import AutoKMeans, Clusterer, GraphKMeans
from clustering.csv_tool import ThemeSummary, cluster_csv, format_themes_table
from clustering.describe import (
    CTfidfRepresentation,
    Quote,
    Representation,
    ThemeDescription,
    ctfidf_keywords,
    describe_themes,
    make_title,
)
from clustering.duplicates import group_near_duplicates, normalise_text
from clustering.embedding import Embedder, SentenceTransformerEmbedder
from clustering.errors import ClusteringInputError
from clustering.nonanswers import is_non_answer
from clustering.pipeline import ClusteringResult, ThemePipeline
from clustering.reduce import GraphSmoother, NoReduction, PCAReducer, Reducer, ReducerChain
from clustering.stability import ClusterMatch, assign_to_nearest, match_clusters
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
    "ThemeDescription",
    "ThemePipeline",
    "ThemeSummary",
    "Trend",
    "assign_to_nearest",
    "cluster_csv",
    "ctfidf_keywords",
    "describe_themes",
    "format_themes_table",
    "group_near_duplicates",
    "is_non_answer",
    "make_title",
    "match_clusters",
    "normalise_text",
    "spike",
    "trend",
]
