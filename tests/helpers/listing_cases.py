"""The portal fixture pages, their hand-written selectors and the items each must give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from syndicator.ingest.listing.extract import parse_listing
from syndicator.records import ParsedFeed
from syndicator.settings_models import ListingSelectors
from tests.helpers.paths import FIXTURES

PORTALS = FIXTURES / "portals"
FETCHED_AT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Expected:
    title: str
    link: str
    published: str  # UTC, ISO
    image: str | None


@dataclass(frozen=True)
class Portal:
    file: str
    url: str
    selectors: ListingSelectors
    page_title: str
    items: tuple[Expected, ...]
    first_summary: str

    def body(self) -> bytes:
        return (PORTALS / self.file).read_bytes()


def read(portal: Portal, selectors: ListingSelectors | None = None) -> ParsedFeed:
    return parse_listing(
        portal.body(),
        url=portal.url,
        content_type="text/html; charset=utf-8",
        fetched_at=FETCHED_AT,
        tz=TZ,
        selectors=selectors or portal.selectors,
    )


_SP = "https://stnmt.example.gov.vn"
SHAREPOINT = Portal(
    file="sharepoint-tin-tuc.html",
    url=f"{_SP}/Pages/tin-tuc.aspx",
    selectors=ListingSelectors(
        item="li.dfwp-item",
        link="div.link-item a",
        date="span.ngay-dang",
        date_format="%d/%m/%Y",
        image="img.image",
        summary="div.description",
    ),
    page_title="Tin tức - Sở Tài nguyên và Môi trường",
    items=(
        Expected(
            "Hội nghị tổng kết công tác quản lý đất đai năm 2026 và triển khai nhiệm vụ năm 2027",
            f"{_SP}/Pages/hoi-nghi-tong-ket-cong-tac-quan-ly-dat-dai-nam-2026.aspx",
            "2026-12-06T17:00:00+00:00",
            f"{_SP}/PublishingImages/2026/12/hoi-nghi-tong-ket-dat-dai.jpg",
        ),
        Expected(
            "Tăng cường kiểm tra, xử lý vi phạm trong hoạt động khai thác khoáng sản trên địa bàn"
            " tỉnh",
            f"{_SP}/Pages/tang-cuong-kiem-tra-xu-ly-vi-pham-khai-thac-khoang-san.aspx",
            "2026-12-04T17:00:00+00:00",
            f"{_SP}/PublishingImages/2026/12/kiem-tra-khoang-san.jpg",
        ),
        Expected(
            "Phê duyệt kế hoạch sử dụng đất năm 2027 của các huyện, thị xã, thành phố",
            f"{_SP}/Pages/phe-duyet-ke-hoach-su-dung-dat-nam-2027.aspx",
            "2026-12-03T17:00:00+00:00",
            f"{_SP}/PublishingImages/2026/12/ke-hoach-su-dung-dat.jpg",
        ),
        Expected(
            "Tập huấn nghiệp vụ quan trắc môi trường nước mặt cho cán bộ cấp huyện, cấp xã",
            f"{_SP}/Pages/tap-huan-quan-trac-moi-truong-nuoc-mat.aspx",
            "2026-12-01T17:00:00+00:00",
            f"{_SP}/PublishingImages/2026/12/tap-huan-quan-trac.jpg",
        ),
        Expected(
            "Thông báo lấy ý kiến cộng đồng về dự thảo quy định bảng giá đất giai đoạn 2027-2031",
            f"{_SP}/Pages/lay-y-kien-du-thao-bang-gia-dat-2027-2031.aspx",
            "2026-11-30T17:00:00+00:00",
            None,
        ),
        Expected(
            "Ra quân hưởng ứng Chiến dịch làm cho thế giới sạch hơn năm 2026",
            f"{_SP}/Pages/ra-quan-chien-dich-lam-cho-the-gioi-sach-hon-2026.aspx",
            "2026-11-27T17:00:00+00:00",
            f"{_SP}/PublishingImages/2026/11/the-gioi-sach-hon.jpg",
        ),
    ),
    first_summary=(
        "Sáng ngày 07/12, Sở Tài nguyên và Môi trường tổ chức hội nghị tổng kết công tác quản lý"
        " nhà nước về đất đai năm 2026, đánh giá kết quả cấp giấy chứng nhận quyền sử dụng đất và"
        " đề ra nhiệm vụ trọng tâm năm 2027."
    ),
)

_WC = "https://stc.example.gov.vn/webcenter"
_WC_ITEM = f"{_WC}/portal/stc/r/m/tin-tuc/chi-tiet?dDocName="
WEBCENTER = Portal(
    file="webcenter-tin-tuc.html",
    url=f"{_WC}/portal/stc/r/m/tin-tuc?_afrLoop=1734567890123456",
    selectors=ListingSelectors(
        item="div.list-news-item",
        link="a.title-news",
        date="span.date-news",
        date_format="%d/%m/%Y %H:%M",
        image="img.anh-tin",
        summary="span.tom-tat",
    ),
    page_title="Tin hoạt động - Sở Tài chính",
    items=(
        Expected(
            "Công khai số liệu dự toán ngân sách địa phương năm 2027 trình Hội đồng nhân dân tỉnh",
            f"{_WC_ITEM}STC186402",
            "2026-12-07T01:30:00+00:00",
            f"{_WC}/content/conn/UCM/uuid/dDocName:STC186402_THUMB",
        ),
        Expected(
            "Hướng dẫn quyết toán vốn đầu tư công nguồn ngân sách nhà nước niên độ năm 2026",
            f"{_WC_ITEM}STC186377",
            "2026-12-05T09:05:00+00:00",
            f"{_WC}/content/conn/UCM/uuid/dDocName:STC186377_THUMB",
        ),
        Expected(
            "Thông báo giá đất cụ thể để tính tiền bồi thường dự án đường ven biển đoạn qua huyện",
            f"{_WC_ITEM}STC186351",
            "2026-12-03T02:00:00+00:00",
            f"{_WC}/content/conn/UCM/uuid/dDocName:STC186351_THUMB",
        ),
        Expected(
            "Hội nghị tập huấn chế độ kế toán hành chính, sự nghiệp cho các đơn vị dự toán",
            f"{_WC_ITEM}STC186320",
            "2026-12-01T07:00:00+00:00",
            f"{_WC}/content/conn/UCM/uuid/dDocName:STC186320_THUMB",
        ),
        Expected(
            "Giá xăng dầu trên địa bàn tỉnh điều chỉnh giảm từ 15 giờ chiều nay",
            f"{_WC_ITEM}STC186299",
            "2026-11-27T08:10:00+00:00",
            f"{_WC}/content/conn/UCM/uuid/dDocName:STC186299_THUMB",
        ),
    ),
    first_summary=(
        "Thực hiện Luật Ngân sách nhà nước, Sở Tài chính công khai số liệu dự toán thu, chi ngân"
        " sách địa phương năm 2027 để lấy ý kiến trước kỳ họp cuối năm."
    ),
)

_NV = "https://dongson.example.gov.vn"
_NV_NEWS = f"{_NV}/vi/news/tin-hoat-dong"
NUKEVIET = Portal(
    file="nukeviet-news.html",
    url=f"{_NV}/vi/news/",
    selectors=ListingSelectors(
        item="div.news_column",
        link="h3 a",
        title="h3",
        date="div.text-muted li",
        date_format="%d/%m/%Y %H:%M",
        image="img.imghome",
        summary="p.hometext",
    ),
    page_title="Tin tức - Cổng thông tin điện tử huyện Đông Sơn",
    items=(
        Expected(
            "Kỳ họp thứ mười hai Hội đồng nhân dân huyện khóa XX thông qua nhiều nghị quyết quan"
            " trọng",
            f"{_NV_NEWS}/ky-hop-thu-muoi-hai-hoi-dong-nhan-dan-huyen-khoa-xx-thong-qua-nhieu-nghi"
            "-quyet-quan-trong-1842.html",
            "2026-12-07T01:30:00+00:00",
            f"{_NV}/assets/news/2026_12/ky-hop-thu-12.jpg",
        ),
        Expected(
            'Huyện Đông Sơn ra mắt mô hình "Dân vận khéo" trong xây dựng nông thôn mới kiểu mẫu',
            f"{_NV_NEWS}/huyen-dong-son-ra-mat-mo-hinh-dan-van-kheo-trong-xay-dung-nong-thon-moi"
            "-kieu-mau-1839.html",
            "2026-12-06T08:45:00+00:00",
            f"{_NV}/assets/news/2026_12/dan-van-kheo.jpg",
        ),
        Expected(
            "UBND huyện đối thoại với người dân về công tác giải phóng mặt bằng khu công nghiệp",
            f"{_NV_NEWS}/ubnd-huyen-doi-thoai-voi-nguoi-dan-ve-cong-tac-giai-phong-mat-bang-khu"
            "-cong-nghiep-1835.html",
            "2026-12-04T03:15:00+00:00",
            f"{_NV}/assets/news/2026_12/doi-thoai-gpmb.jpg",
        ),
        Expected(
            "Tổng kết phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa năm 2026",
            f"{_NV_NEWS}/tong-ket-phong-trao-toan-dan-doan-ket-xay-dung-doi-song-van-hoa-nam-2026"
            "-1830.html",
            "2026-12-02T00:50:00+00:00",
            f"{_NV}/assets/news/2026_12/toan-dan-doan-ket.jpg",
        ),
    ),
    first_summary=(
        "Trong hai ngày làm việc, kỳ họp đã xem xét, thông qua 14 nghị quyết về phát triển kinh tế"
        " - xã hội, dự toán ngân sách và kế hoạch đầu tư công năm 2027 của huyện."
    ),
)

_LR = "https://svhttdl.example.gov.vn"
_LR_ITEM = f"{_LR}/-/asset_publisher/AbC123/content/"
_LR_BACK = "?_101_INSTANCE_AbC123_redirect=%2Ftin-tuc"
LIFERAY = Portal(
    file="liferay-tin-tuc.html",
    url=f"{_LR}/tin-tuc",
    selectors=ListingSelectors(
        item="div.asset-abstract",
        link="h3.asset-title a",
        date="span.metadata-publish-date",
        date_format="%d-%m-%Y",
        image="img.asset-small-image",
        summary="div.asset-summary",
    ),
    page_title="Tin tức - Sự kiện - Sở Văn hóa, Thể thao và Du lịch",
    items=(
        Expected(
            "Khai mạc Tuần Văn hóa, Thể thao và Du lịch các dân tộc miền núi năm 2026",
            f"{_LR_ITEM}khai-mac-tuan-van-hoa-the-thao-va-du-lich-cac-dan-toc-mien-nui-nam-2026"
            f"{_LR_BACK}",
            "2026-12-06T17:00:00+00:00",
            f"{_LR}/documents/20182/0/khai-mac-tuan-van-hoa.jpg/"
            "4f2a9c1e-6b7d-4e3f-9a8b-1c2d3e4f5a6b?t=1765076400000",
        ),
        Expected(
            "Tôn vinh các nghệ nhân dân gian có đóng góp trong bảo tồn di sản văn hóa phi vật thể",
            f"{_LR_ITEM}ton-vinh-cac-nghe-nhan-dan-gian-co-dong-gop-trong-bao-ton-di-san-van-hoa"
            f"-phi-vat-the{_LR_BACK}",
            "2026-12-04T17:00:00+00:00",
            f"{_LR}/documents/20182/0/ton-vinh-nghe-nhan-480.jpg",
        ),
        Expected(
            "Phát triển du lịch cộng đồng gắn với xây dựng nông thôn mới tại các xã vùng cao",
            f"{_LR_ITEM}phat-trien-du-lich-cong-dong-gan-voi-xay-dung-nong-thon-moi-tai-cac-xa"
            f"-vung-cao{_LR_BACK}",
            "2026-12-02T17:00:00+00:00",
            f"{_LR}/documents/20182/0/du-lich-cong-dong.jpg/"
            "8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586?t=1764903600000",
        ),
        Expected(
            "Đoàn thể thao tỉnh giành 7 huy chương vàng tại Giải vô địch Võ cổ truyền toàn quốc",
            f"{_LR_ITEM}doan-the-thao-tinh-gianh-7-huy-chuong-vang-tai-giai-vo-dich-vo-co-truyen"
            f"-toan-quoc{_LR_BACK}",
            "2026-11-30T17:00:00+00:00",
            f"{_LR}/documents/20182/0/vo-co-truyen.jpg/"
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d?t=1764730800000",
        ),
    ),
    first_summary=(
        "Tuần Văn hóa diễn ra từ ngày 07 đến 13/12 với nhiều hoạt động: liên hoan nghệ thuật quần"
        " chúng, thi đấu các môn thể thao dân tộc, trưng bày sản phẩm OCOP và ẩm thực vùng cao."
    ),
)

ALL = (SHAREPOINT, WEBCENTER, NUKEVIET, LIFERAY)
